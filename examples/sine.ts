/**
 * Tutorial 4 exactly: x = sin over [0, 4 pi] at 100 points, y = x^2, each point a length-1
 * sequence; GRU(64) -> Dense(1), Adam, MSE, batch 1, 100 epochs; evaluate on the first sample
 * ("Test Score"), in the Sequential form and then the functional one (keras.input, keras.model).
 * Then the same model forecasting the yearly sunspot series (1700-2008, shipped
 * with the library) from the previous 24 years, against the "same as last year" baseline on the
 * held-out years 1950-2008.
 *
 *   npx tsx examples/sine.ts [--device cuda] [--quick] [--out DIR]
 */
import { join } from 'node:path';

import { Tensor, datasets, keras, type Device } from '../lib/index';
import { begin, finish, runIfMain, type ExampleOptions } from './lib/example';
import { curvesPlot, predictionPlot } from '../lib/plots/svg-charts';

const WINDOW = 24;
const SCALE = 100;  // sunspot numbers run 0..~250; the net sees value / 100

function sunspotWindows(values: Float32Array, from: number, to: number, device: Device): { x: Tensor; y: Tensor; last: Float32Array } {
  const count = to - from;
  const x = new Float32Array(count * WINDOW), y = new Float32Array(count), last = new Float32Array(count);
  for (let b = 0; b < count; b++) {
    for (let t = 0; t < WINDOW; t++) x[b * WINDOW + t] = values[from + b + t] / SCALE;
    y[b] = values[from + b + WINDOW] / SCALE;
    last[b] = values[from + b + WINDOW - 1] / SCALE;
  }
  return { x: Tensor.from(x, [count, WINDOW, 1], { device }), y: Tensor.from(y, [count, 1], { device }), last };
}

export async function sine(o: ExampleOptions): Promise<{ testScore: number; functionalScore: number; sineLoss: number[]; gruRmse: number; baselineRmse: number }> {
  const { log } = begin('sine', o);
  // The tutorial, line for line.
  const points = Float32Array.from({ length: 100 }, (_, i) => Math.sin((4 * Math.PI * i) / 99));
  const x = Tensor.from(points, [100, 1, 1], { device: o.device });
  const y = Tensor.from(points.map((v) => v * v), [100, 1], { device: o.device });
  const model = keras.sequential({ device: o.device, layers: [keras.layers.gru({ units: 64, inputShape: [null, 1] }), keras.layers.dense({ units: 1 })] });
  model.compile({ optimizer: 'adam', loss: 'mse' });
  const history = await model.fit(x, y, { epochs: o.quick ? 3 : 100, batchSize: 1, callbacks: [log], verbose: o.verbose, seed: o.seed });
  const first = [x.narrow(0, 0, 1), y.narrow(0, 0, 1)];
  const testScore = await model.evaluate(first[0], first[1]) as number;
  if (o.verbose > 0) console.log(`Test Score: ${testScore}`);

  // The tutorial's second form, the functional API: inputs = Input([None, 1]); Model(inputs, Dense(1)(GRU(64)(inputs))).
  const inputs = keras.input({ shape: [null, 1] });
  const outputs = keras.layers.dense({ units: 1 }).apply(keras.layers.gru({ units: 64 }).apply(inputs));
  const functional = keras.model({ inputs, outputs, device: o.device });
  functional.compile({ optimizer: 'adam', loss: 'mse' });
  await functional.fit(x, y, { epochs: o.quick ? 3 : 100, batchSize: 1, verbose: 0, seed: o.seed });
  const functionalScore = await functional.evaluate(first[0], first[1]) as number;
  if (o.verbose > 0) console.log(`Test Score (functional API): ${functionalScore}`);
  functional.dispose();

  // The same model on the sunspots, against last year's value as the forecast.
  const { years, values } = datasets.sunspots();
  const split = years.indexOf(1950) - WINDOW;
  const train = sunspotWindows(values, 0, split, o.device);
  const test = sunspotWindows(values, split, values.length - WINDOW, o.device);
  const forecaster = keras.sequential({ device: o.device, layers: [keras.layers.gru({ units: 64, inputShape: [WINDOW, 1] }), keras.layers.dense({ units: 1 })] });
  forecaster.compile({ optimizer: keras.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
  await forecaster.fit(train.x, train.y, { epochs: o.quick ? 15 : 150, batchSize: 32, verbose: 0, seed: o.seed });
  const forecast = forecaster.predict(test.x);
  const predicted = await forecast.data(), actual = await test.y.data();
  let gruError = 0, baselineError = 0;
  for (let i = 0; i < actual.length; i++) {
    gruError += (predicted[i] - actual[i]) ** 2;
    baselineError += (test.last[i] - actual[i]) ** 2;
  }
  const gruRmse = Math.sqrt(gruError / actual.length) * SCALE, baselineRmse = Math.sqrt(baselineError / actual.length) * SCALE;
  await curvesPlot({ loss: history.history.loss }, 'tutorial 4: y = x^2, loss', 'mse', join(o.out, 'loss.svg'));
  const fitted = model.predict(x);
  await predictionPlot(Float32Array.from({ length: 100 }, (_, i) => i), { truth: y.dataSync(), prediction: fitted.dataSync() }, 'tutorial 4: y = x^2', 'point', join(o.out, 'sine.svg'));
  fitted.dispose();
  const heldOutYears = Float32Array.from({ length: actual.length }, (_, i) => 1950 + i);
  const scaled = (v: ArrayLike<number>) => Float32Array.from(v, (u) => u * SCALE);
  await predictionPlot(heldOutYears, { actual: scaled(actual), GRU: scaled(predicted), 'same as last year': scaled(test.last) }, 'sunspots, held out', 'year', join(o.out, 'sunspots.svg'));
  finish(o, { example: 'sine', device: o.device, testScore, functionalScore, sineLoss: history.history.loss, sunspots: { heldOut: '1950-2008', gruRmse, baselineRmse } });
  for (const t of [x, y, ...first, train.x, train.y, test.x, test.y, forecast]) t.dispose();
  model.dispose();
  forecaster.dispose();
  return { testScore, functionalScore, sineLoss: history.history.loss, gruRmse, baselineRmse };
}

runIfMain(module, 'sine', sine);
