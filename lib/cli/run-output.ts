/**
 * What a training command leaves in its output folder besides the checkpoint: the per-epoch
 * history as JSON lines (log.jsonl, rewritten whole from the checkpoint's history, so a resumed
 * run's log is complete) and SVG plots; and the loss sparkline printed at the end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chartsMissing, curvesPlot } from '../plots/svg-charts';
import { sparkline } from '../plots/sparkline';

export function prepareOutput(out: string): void {
  mkdirSync(out, { recursive: true });
}

export function writeLog(out: string, history: readonly object[]): void {
  writeFileSync(join(out, 'log.jsonl'), history.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Writes each plot (`file` -> series over epochs), or says once why it cannot. Returns the files written. */
export async function writePlots(out: string, plots: { file: string; title: string; yTitle: string; series: Record<string, number[]> }[]): Promise<string[]> {
  const missing = chartsMissing();
  if (missing) {
    console.log(`(no plots: ${missing})`);
    return [];
  }
  const written: string[] = [];
  for (const p of plots) {
    const series = Object.fromEntries(Object.entries(p.series).filter(([, v]) => v.some(Number.isFinite)));
    if (Object.keys(series).length === 0) continue;
    await curvesPlot(series, p.title, p.yTitle, join(out, p.file));
    written.push(join(out, p.file));
  }
  return written;
}

/** `loss by batch ▇▅▃▂▂▁ 4.41 -> 1.52`. */
export function lossSparkline(losses: readonly number[]): string {
  if (losses.length === 0) return '';
  return `loss by batch ${sparkline(losses)} ${losses[0].toFixed(2)} -> ${losses[losses.length - 1].toFixed(2)}`;
}
