/**
 * The CPU GRU against real PyTorch: outputs, final states and every gradient, for each fixture
 * of scripts/make_fixtures.py, through both the fast and the reference kernels.
 */
import { describe, expect, it } from 'vitest';

import { GRU, GRUCell, Tensor, add, mul, sum } from '../lib/index';
import type { Kernel } from '../lib/ops/gru';
import { compareArrays, listGruFixtures, loadGruFixture, parameterNames, type GruFixture } from './helpers/fixtures';

// The bar: float64 within 1e-10, float32 within 1e-5 relative.
const TOLERANCE = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-5, atol: 2e-6 },
};

function tensorOf(fixture: GruFixture, name: string, requiresGrad = false): Tensor {
  const raw = fixture.tensors[name];
  const t = Tensor.from(raw.data, raw.shape, { dtype: raw.dtype });
  return requiresGrad ? t.requiresGrad_() : t;
}

function run(fixture: GruFixture, kernel: Kernel): void {
  const { config } = fixture;
  const tol = TOLERANCE[config.dtype];
  const common = { inputSize: config.inputSize, hiddenSize: config.hiddenSize, bias: config.bias, dtype: config.dtype };
  const cell = config.kind === 'gru_cell';
  const layer = cell
    ? new GRUCell({ ...common })
    : new GRU({ ...common, numLayers: config.numLayers, bidirectional: config.bidirectional, batchFirst: config.batchFirst,
                resetAfter: config.kind !== 'gru_reset_before' });
  layer.kernel = kernel;
  const state: Record<string, Tensor> = {};
  for (const name of parameterNames(config)) state[name] = tensorOf(fixture, name);
  layer.loadStateDict(state);
  const x = tensorOf(fixture, 'x', true);
  const h0 = config.hasH0 ? tensorOf(fixture, 'h0', true) : undefined;
  const dy = tensorOf(fixture, 'dy');
  let loss: Tensor;
  if (layer instanceof GRUCell) {
    const h = layer.forward(x, h0);
    compareArrays('output', h.dataSync(), fixture.tensors.output.data, { ...tol, shape: h.shape });
    loss = sum(mul(h, dy));
  } else {
    const lengths = config.lengths ?? undefined;
    const { output, hN } = layer.forward(x, { h0, lengths });
    expect(output.shape).toEqual(fixture.tensors.output.shape);
    compareArrays('output', output.dataSync(), fixture.tensors.output.data, { ...tol, shape: output.shape });
    compareArrays('h_n', hN.dataSync(), fixture.tensors.h_n.data, { ...tol, shape: hN.shape });
    loss = add(sum(mul(output, dy)), sum(mul(hN, tensorOf(fixture, 'dh_n'))));
  }
  loss.backward();
  compareArrays('grad.x', x.grad!.dataSync(), fixture.tensors['grad.x'].data, { ...tol, shape: x.shape });
  if (h0) compareArrays('grad.h0', h0.grad!.dataSync(), fixture.tensors['grad.h0'].data, { ...tol, shape: h0.shape });
  const params = new Map(layer.namedParameters());
  for (const name of parameterNames(config)) {
    const p = params.get(name)!;
    compareArrays(`grad.${name}`, p.grad!.dataSync(), fixture.tensors[`grad.${name}`].data, { ...tol, shape: p.shape });
  }
  layer.dispose();
}

describe('CPU GRU matches PyTorch fixtures', () => {
  for (const name of listGruFixtures()) {
    for (const kernel of ['fast', 'reference'] as const) {
      it(`${name} (${kernel})`, () => run(loadGruFixture(name), kernel));
    }
  }
});
