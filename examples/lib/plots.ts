/**
 * The examples' plots as SVG, drawn with the maintained vega-lite and vega (which render SVG in
 * Node without a browser or canvas): curves of named series over epochs, and predictions against
 * truth.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Point {
  x: number;
  value: number;
  series: string;
}

async function render(points: Point[], title: string, xTitle: string, yTitle: string, path: string): Promise<void> {
  // Devdependencies of the examples, loaded when a plot is drawn.
  const vega = require('vega') as { View: new (runtime: unknown, options: { renderer: string }) => { toSVG(): Promise<string> }; parse(spec: unknown): unknown };
  const vl = require('vega-lite') as { compile(spec: unknown): { spec: unknown } };
  const spec = vl.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json', title, width: 480, height: 260, data: { values: points },
    mark: { type: 'line', point: points.length <= 60 },
    encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'series', type: 'nominal', title: null } },
  }).spec;
  writeFileSync(path, await new vega.View(vega.parse(spec), { renderer: 'none' }).toSVG());
}

/** Each named series (loss, val_loss, accuracy, ...) over epochs 1..n. */
export function curvesPlot(series: Record<string, number[]>, title: string, yTitle: string, path: string): Promise<void> {
  const points = Object.entries(series).flatMap(([name, values]) => values.map((value, i) => ({ x: i + 1, value, series: name })));
  return render(points, title, 'epoch', yTitle, path);
}

/** Truth and one or more predictions over an index (years, points). */
export function predictionPlot(xs: ArrayLike<number>, series: Record<string, ArrayLike<number>>, title: string, xTitle: string, path: string): Promise<void> {
  const points = Object.entries(series).flatMap(([name, values]) => Array.from(values, (value, i) => ({ x: xs[i], value, series: name })));
  return render(points, title, xTitle, 'value', path);
}

/** A classifier's loss and accuracy curves, with validation, as `<out>/loss.svg` and `<out>/accuracy.svg`. */
export async function classifierPlots(name: string, history: Record<string, number[]>, out: string): Promise<void> {
  await curvesPlot({ loss: history.loss, val_loss: history.val_loss }, `${name}: loss`, 'loss', join(out, 'loss.svg'));
  await curvesPlot({ accuracy: history.accuracy, val_accuracy: history.val_accuracy }, `${name}: accuracy`, 'accuracy', join(out, 'accuracy.svg'));
}
