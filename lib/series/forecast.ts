/**
 * Forecasts past the end of a trained series: with horizon 1, `steps` values, each fed back as
 * the newest value of the window; with a longer horizon, the one value `horizon` steps after the
 * series' end (feeding back would skip the steps between).
 */
import { checkInteger } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { ArgumentError } from '../errors';
import { scope } from '../scope';
import { Tensor } from '../tensor';
import type { SeriesRunState } from './series-checkpoint';
import type { SeriesModel } from './series-model';

export async function forecastSeries(model: SeriesModel, state: SeriesRunState, steps: number): Promise<number[]> {
  checkInteger(steps, 'forecastSeries: steps', 1);
  const { window, horizon } = state.training;
  if (horizon > 1 && steps > 1) throw new ArgumentError(`forecastSeries: the model forecasts ${horizon} steps ahead, so it gives one value, not ${steps} (train with horizon 1 to forecast step by step)`);
  const { mean, std } = state.scale;
  const recent = state.data.tail.map((v) => (v - mean) / std);
  const device = model.parameters()[0]?.device ?? 'cpu';
  const out: number[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    for (let i = 0; i < steps; i++) {
      const predicted = scope(() => noGrad(() => model.forward(Tensor.from(Float32Array.from(recent.slice(-window)), [1, window, 1], { device }))));
      const value = await predicted.item();
      predicted.dispose();
      recent.push(value);
      out.push(value * std + mean);
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}
