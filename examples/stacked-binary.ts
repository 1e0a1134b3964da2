/**
 * Tutorial 3, line for line: GRU(units=64, input_shape=(100, 128), return_sequences=True) ->
 * GRU(32) -> Dense(1, sigmoid), binary cross-entropy, accuracy, batch 32; on a generated task
 * (did a spike occur anywhere in the sequence).
 *
 *   npx tsx examples/stacked-binary.ts [--device cuda] [--quick] [--out DIR]
 */
import { keras } from '../lib/index';
import { begin, finish, runIfMain, type ExampleOptions } from './lib/example';
import { classifierPlots } from '../lib/plots/svg-charts';
import { disposeSplits, spikeTask } from './lib/tasks';

export async function stackedBinary(o: ExampleOptions): Promise<{ heldOutAccuracy: number; history: Record<string, number[]> }> {
  const { log } = begin('stacked-binary', o);
  const [timesteps, features, epochs, rows] = o.quick ? [20, 16, 10, 512] : [100, 128, 10, 2048];
  const train = spikeTask(rows, timesteps, features, o.seed, o.device);
  const val = spikeTask(rows / 4, timesteps, features, o.seed + 1, o.device);
  const model = keras.sequential({ device: o.device, layers: [
    keras.layers.gru({ units: 64, inputShape: [timesteps, features], returnSequences: true }),
    keras.layers.gru({ units: 32 }),
    keras.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(train.x, train.y, { epochs, batchSize: 32, validationData: [val.x, val.y], callbacks: [log], verbose: o.verbose, seed: o.seed });
  const heldOutAccuracy = history.history.val_accuracy.at(-1)!;
  await classifierPlots('stacked-binary', history.history, o.out);
  finish(o, { example: 'stacked-binary', device: o.device, epochs, heldOutAccuracy, lastLoss: history.history.loss.at(-1) });
  disposeSplits(train, val);
  model.dispose();
  return { heldOutAccuracy, history: history.history };
}

runIfMain(module, 'stacked-binary', stackedBinary);
