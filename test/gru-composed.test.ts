/**
 * The GRU composed of ops (lib/ops/gru-composed.ts), which CUDA runs for the forms cuDNN lacks,
 * against the CPU's fused kernels in float64: outputs, final states and every gradient, for each
 * activation form, layers, directions, batch-first or not, h0 and lengths. On CUDA (skipped here
 * with the probe's reason) nn.GRU in those forms matches the CPU.
 */
import { describe, expect, it } from 'vitest';

import { GRU, Tensor, backends, noGrad, type Device } from '../lib/index';
import type { GruLayerConfig } from '../lib/native/gru-config';
import { mul } from '../lib/ops/arithmetic';
import { composedGru } from '../lib/ops/gru-composed';
import { gruOp } from '../lib/ops/gru';
import { sum } from '../lib/ops/reduce';
import { defaultGenerator } from '../lib/random';

const cuda = backends().find((b) => b.name === 'cuda')!;

function values(n: number, seed: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.73 + seed) * 0.9);
}

type Form = { activation: 'tanh' | 'relu' | 'linear' | 'sigmoid'; recurrentActivation: 'sigmoid' | 'hardSigmoid' | 'hardSigmoidTfjs'; resetAfter: boolean };
const FORMS: Form[] = [
  { activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: true },
  { activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false },
  { activation: 'relu', recurrentActivation: 'sigmoid', resetAfter: true },
  { activation: 'linear', recurrentActivation: 'hardSigmoidTfjs', resetAfter: false },
];
const SHAPES = [
  { numLayers: 1, bidirectional: false, batchFirst: true, lengths: null, h0: false },
  { numLayers: 2, bidirectional: true, batchFirst: false, lengths: [4, 2, 3], h0: true },
  { numLayers: 2, bidirectional: false, batchFirst: true, lengths: [1, 4, 4], h0: true },
  { numLayers: 1, bidirectional: true, batchFirst: true, lengths: [3, 1, 4], h0: false },
];

function internals(gru: GRU): { config: GruLayerConfig; weights: Tensor } {
  const g = gru as unknown as { config: GruLayerConfig; flatWeightsForCall(): Tensor };
  return { config: g.config, weights: g.flatWeightsForCall() };
}

describe('the composed GRU (what CUDA runs for forms cuDNN lacks)', () => {
  for (const form of FORMS) {
    for (const shape of SHAPES) {
      it(`equals the fused CPU kernel, forward and backward: ${JSON.stringify({ ...form, ...shape })}`, () => {
        const [T, B, I, H] = [4, 3, 2, 3];
        const D = shape.bidirectional ? 2 : 1;
        const gru = new GRU({ inputSize: I, hiddenSize: H, numLayers: shape.numLayers, bidirectional: shape.bidirectional, batchFirst: shape.batchFirst, dtype: 'float64', ...form });
        const { config, weights } = internals(gru);
        const xShape = shape.batchFirst ? [B, T, I] : [T, B, I];
        const x = Tensor.from(values(T * B * I, 1), xShape, { dtype: 'float64' }).requiresGrad_();
        const h0 = shape.h0 ? Tensor.from(values(shape.numLayers * D * B * H, 2), [shape.numLayers * D, B, H], { dtype: 'float64' }).requiresGrad_() : null;
        const lengths = shape.lengths ? Int32Array.from(shape.lengths) : null;
        const outWeight = Tensor.from(values(T * B * D * H, 3), shape.batchFirst ? [B, T, D * H] : [T, B, D * H], { dtype: 'float64' });
        const stateWeight = Tensor.from(values(shape.numLayers * D * B * H, 4), [shape.numLayers * D, B, H], { dtype: 'float64' });
        const inputs = { x, weights, h0, lengths, seqLen: T, batch: B };
        const options = { training: false, generator: defaultGenerator, kernel: 'fast' as const };
        const run = (f: typeof gruOp) => {
          const { output, hN } = f(config, inputs, options);
          const loss = sum(mul(output, outWeight)).add(sum(mul(hN, stateWeight)));
          loss.backward();
          const grads = [x.grad!, weights.grad!, ...(h0 ? [h0.grad!] : [])].map((g) => Array.from(g.dataSync()));
          const result = { output: Array.from(output.dataSync()), hN: Array.from(hN.dataSync()), grads };
          noGrad(() => { for (const g of [x.grad, weights.grad, h0?.grad]) g?.fill_(0); });
          for (const t of [output, hN, loss]) t.dispose();
          return result;
        };
        const fused = run(gruOp);
        const composed = run(composedGru as typeof gruOp);
        const close = (a: number[], b: number[], what: string) => {
          expect(a.length, what).toBe(b.length);
          for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 1e-11 * Math.max(1, Math.abs(b[i])))) throw new Error(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
        };
        close(composed.output, fused.output, 'output');
        close(composed.hN, fused.hN, 'hN');
        composed.grads.forEach((g, i) => close(g, fused.grads[i], ['dx', 'dWeights', 'dh0'][i]));
        for (const t of [x, h0, outWeight, stateWeight]) t?.dispose();
        gru.dispose();
      });
    }
  }
});

describe.each(['cuda'] as Device[])('nn.GRU forms cuDNN lacks on %s', (device) => {
  it.skipIf(!cuda.available)(`run through the composed GRU and match the CPU${cuda.available ? '' : ` [${cuda.reason}]`}`, () => {
    for (const form of FORMS.slice(1)) {
      const cpu = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, ...form });
      const gpu = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, ...form });
      gpu.loadStateDict(cpu.stateDict());
      gpu.to(device);
      const x = Tensor.from(Float32Array.from(values(2 * 5 * 3, 5)), [2, 5, 3]);
      const xd = x.to(device);
      const a = cpu.forward(x, { lengths: [5, 3] }), b = gpu.forward(xd, { lengths: [5, 3] });
      const want = a.output.dataSync(), got = b.output.to('cpu').dataSync();
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
      for (const t of [x, xd, a.output, a.hN, b.output, b.hN]) t.dispose();
      cpu.dispose();
      gpu.dispose();
    }
  });
});
