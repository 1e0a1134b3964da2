/**
 * Tutorial 2, line for line: GRU(128, relu, returnSequences) -> GRU(128, relu) -> Dense(1,
 * sigmoid), binary cross-entropy, accuracy, batch 64; on a generated task (does the first
 * feature sum to more than zero over the sequence). The relu GRUs run the CPU's fused variant
 * loops, and on CUDA the composed GRU with its fused gate kernel (cuDNN has no relu GRU).
 *
 *   npx tsx examples/binary-relu.ts [--device cuda] [--quick] [--out DIR]
 */
import { keras } from '../lib/index';
import { begin, finish, runIfMain, type ExampleOptions } from './lib/example';
import { classifierPlots } from '../lib/plots/svg-charts';
import { disposeSplits, signTask } from './lib/tasks';

export async function binaryRelu(o: ExampleOptions): Promise<{ heldOutAccuracy: number; history: Record<string, number[]> }> {
  const { log } = begin('binary-relu', o);
  const [timesteps, features, units, epochs, rows] = o.quick ? [10, 4, 24, 15, 512] : [30, 8, 128, 10, 4096];
  const train = signTask(rows, timesteps, features, o.seed, o.device);
  const val = signTask(rows / 4, timesteps, features, o.seed + 1, o.device);
  const model = keras.sequential({ device: o.device, layers: [
    keras.layers.gru({ units, activation: 'relu', returnSequences: true, inputShape: [timesteps, features] }),
    keras.layers.gru({ units, activation: 'relu' }),
    keras.layers.dense({ units: 1, activation: 'sigmoid' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(train.x, train.y, { epochs, batchSize: 64, validationData: [val.x, val.y], callbacks: [log], verbose: o.verbose, seed: o.seed });
  const heldOutAccuracy = history.history.val_accuracy.at(-1)!;
  await classifierPlots('binary-relu', history.history, o.out);
  finish(o, { example: 'binary-relu', device: o.device, epochs, heldOutAccuracy, lastLoss: history.history.loss.at(-1) });
  disposeSplits(train, val);
  model.dispose();
  return { heldOutAccuracy, history: history.history };
}

runIfMain(module, 'binary-relu', binaryRelu);
