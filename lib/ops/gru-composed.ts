/**
 * The whole GRU (layers, directions, h0, lengths, dropout between layers) composed from the
 * step loop of gru-loop.ts, with PyTorch's semantics: padded outputs zero, hN at each sequence's
 * own last step, the reverse direction starting at each one's last valid step. gruOp runs it on
 * CUDA for the forms cuDNN has no kernel for (reset-before, activations other than tanh with
 * sigmoid gates); autograd differentiates it like any composition of ops.
 */
import { nativeConstants } from '../native/binding';
import type { GruLayerConfig } from '../native/gru-config';
import { scope } from '../scope';
import { Tensor } from '../tensor';
import { dropout } from './dropout';
import type { GruOpInputs, GruOpOptions } from './gru';
import { gruLoop, type LoopWeights } from './gru-loop';
import { gruParameterBlocks } from './gru-params';
import { cat, stack, transpose } from './layout';
import { reverseSteps } from './sequence-steps';
import { narrow } from './views';

const ACTIVATION_NAMES = Object.fromEntries(Object.entries(nativeConstants.gruActivations).map(([name, code]) => [code, name]));

/** Whether cuDNN runs this form (reset-after, tanh candidate, sigmoid gates). */
export function cudnnRunsForm(config: GruLayerConfig): boolean {
  return config.resetAfter && config.activation === nativeConstants.gruActivations.tanh && config.recurrentActivation === nativeConstants.gruActivations.sigmoid;
}

/** Views of one layer and direction's parameters in the flat buffer (recorded, so gradients reach it). */
function directionWeights(config: GruLayerConfig, weights: Tensor, layer: number, direction: number): LoopWeights {
  const views: Record<string, Tensor> = {};
  for (const block of gruParameterBlocks(config)) {
    if (block.layer !== layer || block.direction !== direction) continue;
    const count = block.shape.reduce((a, b) => a * b, 1);
    views[block.name.replace(/_l\d+(_reverse)?$/, '')] = narrow(weights, 0, block.offset, count).reshape(block.shape);
  }
  return { weightIh: views.weight_ih, weightHh: views.weight_hh, biasIh: views.bias_ih ?? null, biasHh: views.bias_hh ?? null };
}

export function composedGru<T extends Tensor>(config: GruLayerConfig, inputs: GruOpInputs<T['dtype']>, options: GruOpOptions): { output: T; hN: T } {
  const { x, weights, h0, lengths, seqLen, batch } = inputs;
  const D = config.bidirectional ? 2 : 1, H = config.hiddenSize;
  const result = scope(() => {
    const rows = x.reshape(config.batchFirst ? [batch, seqLen, config.inputSize] : [seqLen, batch, config.inputSize]);
    let layerInput = config.batchFirst ? rows : transpose(rows, 0, 1);
    const stepMask = lengths
      ? Tensor.from(Float64Array.from({ length: batch * seqLen }, (_, i) => (i % seqLen < lengths[Math.floor(i / seqLen)] ? 1 : 0)), [batch, seqLen], { dtype: x.dtype, device: x.device })
      : null;
    const lasts: Tensor[] = [];
    for (let layer = 0; layer < config.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const input = d === 1 ? reverseSteps(layerInput, lengths) : layerInput;
        const start = h0 ? h0.reshape([config.numLayers * D, batch, H]).select(0, layer * D + d) : Tensor.zeros([batch, H], { dtype: x.dtype, device: x.device });
        const { output, last } = gruLoop(input, directionWeights(config, weights, layer, d), {
          activation: ACTIVATION_NAMES[config.activation], recurrentActivation: ACTIVATION_NAMES[config.recurrentActivation],
          resetAfter: config.resetAfter, h0: start, inputMasks: null, stateMasks: null, stepMask, maskedOutput: 'zero',
        });
        outputs.push(d === 1 ? reverseSteps(output, lengths) : output);
        lasts.push(last);
      }
      layerInput = D === 2 ? cat(outputs, 2) : outputs[0];
      if (layer < config.numLayers - 1 && options.training && config.dropout > 0) layerInput = dropout(layerInput, config.dropout, true, options.generator);
    }
    const sequence = config.batchFirst ? layerInput : transpose(layerInput, 0, 1);
    const output = sequence.reshape(options.outputShape ?? sequence.shape);
    const hN = stack(lasts, 0);
    return { output, hN: hN.reshape(options.stateShape ?? hN.shape) };
  });
  return result as { output: T; hN: T };
}
