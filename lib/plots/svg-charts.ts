/**
 * Plots as SVG, drawn with vega-lite and vega (maintained, and they render SVG in Node without a
 * browser or canvas): curves of named series over epochs, and predictions against truth. The two
 * are optional peer dependencies, present in a clone of this repository; where they are not
 * installed, plotting says so (`chartsMissing()`) and the callers write their logs alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Point {
  x: number;
  value: number;
  series: string;
}

interface Vega {
  View: new (runtime: unknown, options: { renderer: string }) => { toSVG(): Promise<string> };
  parse(spec: unknown): unknown;
}
interface VegaLite {
  compile(spec: unknown): { spec: unknown };
}

function load(): { vega: Vega; vl: VegaLite } | string {
  try {
    return { vega: require('vega') as Vega, vl: require('vega-lite') as VegaLite };
  } catch {
    return 'plots need the optional packages vega and vega-lite (npm install vega vega-lite)';
  }
}

/** Why plots cannot be drawn here, or null when they can. */
export function chartsMissing(): string | null {
  const loaded = load();
  return typeof loaded === 'string' ? loaded : null;
}

/** The SVG text of a line chart of `points`. */
export async function lineChartSvg(points: Point[], title: string, xTitle: string, yTitle: string): Promise<string> {
  const loaded = load();
  if (typeof loaded === 'string') throw new Error(loaded);
  const spec = loaded.vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: 480, height: 260, data: { values: points },
    mark: { type: 'line', point: points.length <= 60 },
    encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null } },
  }).spec;
  return new loaded.vega.View(loaded.vega.parse(spec), { renderer: 'none' }).toSVG();
}

/** Each named series (loss, val_loss, accuracy, ...) over epochs 1..n, written to `path`. */
export async function curvesPlot(series: Record<string, number[]>, title: string, yTitle: string, path: string, xTitle = 'epoch'): Promise<void> {
  const points = Object.entries(series).flatMap(([name, values]) => values.map((value, i) => ({ x: i + 1, value, series: name })));
  writeFileSync(path, await lineChartSvg(points, title, xTitle, yTitle));
}

/** Truth and one or more predictions over an index (years, points), written to `path`. */
export async function predictionPlot(xs: ArrayLike<number>, series: Record<string, ArrayLike<number>>, title: string, xTitle: string, path: string): Promise<void> {
  const points = Object.entries(series).flatMap(([name, values]) => Array.from(values, (value, i) => ({ x: xs[i], value, series: name })));
  writeFileSync(path, await lineChartSvg(points, title, xTitle, 'value'));
}

/** A classifier's loss and accuracy curves, with validation, as `<out>/loss.svg` and `<out>/accuracy.svg`. */
export async function classifierPlots(name: string, history: Record<string, number[]>, out: string): Promise<void> {
  await curvesPlot({ loss: history.loss, val_loss: history.val_loss }, `${name}: loss`, 'loss', join(out, 'loss.svg'));
  await curvesPlot({ accuracy: history.accuracy, val_accuracy: history.val_accuracy }, `${name}: accuracy`, 'accuracy', join(out, 'accuracy.svg'));
}
