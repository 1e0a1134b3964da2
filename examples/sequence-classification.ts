/**
 * Tutorial 1, line for line in the Keras face: GRU(128, returnSequences) -> GRU(128) ->
 * Dense(softmax), Adam, categorical cross-entropy, batch 64, with validation data; on a generated
 * task that needs memory (which pattern appeared early in a noisy sequence), reporting held-out
 * accuracy.
 *
 *   npx tsx examples/sequence-classification.ts [--device cuda] [--quick] [--out DIR]
 */
import { keras } from '../lib/index';
import { begin, finish, runIfMain, type ExampleOptions } from './lib/example';
import { classifierPlots } from '../lib/plots/svg-charts';
import { disposeSplits, patternTask } from './lib/tasks';

export async function sequenceClassification(o: ExampleOptions): Promise<{ heldOutAccuracy: number; history: Record<string, number[]> }> {
  const { log } = begin('sequence-classification', o);
  const [timesteps, inputDim, outputDim, units, epochs, rows] = o.quick ? [12, 6, 3, 24, 12, 384] : [40, 16, 10, 128, 30, 4096];
  const train = patternTask(rows, timesteps, inputDim, outputDim, o.seed, o.device);
  const val = patternTask(rows / 4, timesteps, inputDim, outputDim, o.seed + 1, o.device);
  const test = patternTask(rows / 4, timesteps, inputDim, outputDim, o.seed + 2, o.device);

  const model = keras.sequential({ device: o.device, layers: [
    keras.layers.gru({ units, inputShape: [timesteps, inputDim], returnSequences: true }),
    keras.layers.gru({ units }),
    keras.layers.dense({ units: outputDim, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  const history = await model.fit(train.x, train.y, { batchSize: 64, epochs, validationData: [val.x, val.y], callbacks: [log], verbose: o.verbose, seed: o.seed });
  const [, heldOutAccuracy] = await model.evaluate(test.x, test.y) as number[];
  await classifierPlots('sequence-classification', history.history, o.out);
  finish(o, { example: 'sequence-classification', device: o.device, epochs, heldOutAccuracy, lastLoss: history.history.loss.at(-1) });
  disposeSplits(train, val, test);
  model.dispose();
  return { heldOutAccuracy, history: history.history };
}

runIfMain(module, 'sequence-classification', sequenceClassification);
