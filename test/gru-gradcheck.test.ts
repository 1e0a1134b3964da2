/**
 * Float64 finite-difference gradient checks of the GRU op through the autograd tape: input,
 * h0 and the flat weights, for every option combination, both kernels.
 */
import { describe, it } from 'vitest';

import { Generator, Tensor, add, mul, sum } from '../lib/index';
import { gruOp, type GruImplementation, type GruOpConfig } from '../lib/ops/gru';
import { gruParameterBlocks } from '../lib/nn/gru';
import { gradcheck } from './helpers/gradcheck';

interface Case {
  name: string;
  config: GruOpConfig;
  seqLen: number;
  batch: number;
  lengths?: number[];
  withH0: boolean;
}

const base: GruOpConfig = { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false, bias: true, resetAfter: true, batchFirst: false, dropout: 0, allowTF32: false };
const cases: Case[] = [
  { name: 'one layer', config: base, seqLen: 3, batch: 2, withH0: true },
  { name: 'reset-before', config: { ...base, resetAfter: false }, seqLen: 3, batch: 2, withH0: true },
  { name: 'two layers, bidirectional, batch-first', config: { ...base, numLayers: 2, bidirectional: true, batchFirst: true }, seqLen: 3, batch: 2, withH0: true },
  { name: 'reset-before, bidirectional, lengths', config: { ...base, bidirectional: true, resetAfter: false }, seqLen: 4, batch: 3, lengths: [4, 1, 2], withH0: true },
  { name: 'no bias, lengths, two layers', config: { ...base, numLayers: 2, bias: false }, seqLen: 3, batch: 3, lengths: [2, 3, 1], withH0: false },
  { name: 'hidden 1, input 1', config: { ...base, inputSize: 1, hiddenSize: 1, numLayers: 3 }, seqLen: 2, batch: 2, withH0: true },
  { name: 'dropout between layers (fixed mask)', config: { ...base, numLayers: 2, dropout: 0.4, bidirectional: true }, seqLen: 3, batch: 2, withH0: false },
];

function weightCount(c: GruOpConfig): number {
  return gruParameterBlocks(c).reduce((n, b) => n + b.shape.reduce((a, d) => a * d, 1), 0);
}

function randomTensor(shape: number[], g: Generator): Tensor {
  return Tensor.randn(shape, { dtype: 'float64', generator: g });
}

describe('GRU finite-difference gradients (float64)', () => {
  for (const c of cases) {
    for (const implementation of [0, 1] as GruImplementation[]) {
      it(`${c.name} (${implementation === 0 ? 'fast' : 'reference'})`, () => {
        const g = new Generator(17);
        const { config, seqLen, batch } = c;
        const D = config.bidirectional ? 2 : 1;
        const xShape = config.batchFirst ? [batch, seqLen, config.inputSize] : [seqLen, batch, config.inputSize];
        const x = randomTensor(xShape, g);
        const h0 = randomTensor([config.numLayers * D, batch, config.hiddenSize], g);
        const w = Tensor.rand([weightCount(config)], { dtype: 'float64', low: -0.6, high: 0.6, generator: g });
        const dy = randomTensor(config.batchFirst ? [batch, seqLen, D * config.hiddenSize] : [seqLen, batch, D * config.hiddenSize], g);
        const dhN = randomTensor([config.numLayers * D, batch, config.hiddenSize], g);
        const lengths = c.lengths ? Tensor.from(Int32Array.from(c.lengths)) : null;
        const inputs = c.withH0 ? [x, w, h0] : [x, w];
        gradcheck(([xi, wi, hi]) => {
          // The same dropout mask on every evaluation: a fresh generator at the same seed.
          const { output, hN } = gruOp(config, { x: xi, weights: wi, h0: hi ?? null, lengths, seqLen, batch },
            { training: true, generator: new Generator(5), implementation });
          return add(sum(mul(output, dy)), sum(mul(hN, dhN)));
        }, inputs, { eps: 1e-6, atol: 1e-7, rtol: 1e-6 });
      });
    }
  }
});
