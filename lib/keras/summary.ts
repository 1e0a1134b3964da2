/** model.summary(): Keras 3's table (layer, output shape, parameter count) and totals. */
import { formatDims, type Layer, type Shape } from './layers/layer';

/** 46689 -> '46,689'. */
function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

/** Keras's readable size of a byte count: '182.38 KB', '0.00 B'. */
function readableBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(2)} ${units[unit]}`;
}

export interface SummaryRow {
  layer: Layer;
  outputShape: Shape;
  params: number;
  trainable: number;
}

/** The summary's lines (Keras 3's layout with its box-drawing characters). */
export function summaryLines(modelName: string, rows: readonly SummaryRow[], bytesPerParam: number): string[] {
  const widths = [31, 22, 13];
  const cell = (text: string, width: number, right: boolean) => ` ${right ? text.padStart(width) : text.padEnd(width)} `;
  const line = (left: string, mid: string, right: string, fill: string) => left + widths.map((w) => fill.repeat(w + 2)).join(mid) + right;
  const row = (cells: string[], edge: string) => edge + cells.map((c, i) => cell(c, widths[i], i === 2)).join(edge) + edge;
  const out = [`Model: "${modelName}"`, line('┏', '┳', '┓', '━'), row(['Layer (type)', 'Output Shape', 'Param #'], '┃'), line('┡', '╇', '┩', '━')];
  rows.forEach((r, i) => {
    out.push(row([`${r.layer.name} (${r.layer.className})`, `(None, ${formatDims(r.outputShape)})`, grouped(r.params)], '│'));
    out.push(i === rows.length - 1 ? line('└', '┴', '┘', '─') : line('├', '┼', '┤', '─'));
  });
  const total = rows.reduce((n, r) => n + r.params, 0);
  const trainable = rows.reduce((n, r) => n + r.trainable, 0);
  out.push(` Total params: ${grouped(total)} (${readableBytes(total * bytesPerParam)})`);
  out.push(` Trainable params: ${grouped(trainable)} (${readableBytes(trainable * bytesPerParam)})`);
  out.push(` Non-trainable params: ${grouped(total - trainable)} (${readableBytes((total - trainable) * bytesPerParam)})`);
  return out;
}
