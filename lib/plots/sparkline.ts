/** A terminal sparkline of a series (the loss at the end of a run): one block character per value, lowest ▁ to highest █. */
const BLOCKS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width = 60): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  // More values than columns: each column shows the mean of its share.
  const columns = Math.min(width, values.length);
  const shown = Array.from({ length: columns }, (_, c) => {
    const part = values.slice(Math.floor((c * values.length) / columns), Math.floor(((c + 1) * values.length) / columns)).filter(Number.isFinite);
    return part.length ? part.reduce((a, b) => a + b, 0) / part.length : NaN;
  });
  const lo = Math.min(...finite), hi = Math.max(...finite);
  return shown.map((v) => (Number.isFinite(v) ? BLOCKS[hi > lo ? Math.round(((v - lo) / (hi - lo)) * (BLOCKS.length - 1)) : 0] : ' ')).join('');
}
