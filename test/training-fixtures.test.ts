/**
 * The training stack against PyTorch (test/fixtures/training/training.json, written by
 * scripts/training_fixtures.py through scripts/make_fixtures.py): every loss with its options
 * (values and input gradients), Linear and Embedding, each optimizer over several steps, and
 * gradient clipping. float64 agrees to 1e-10, float32 to 1e-5. Every case runs on the CPU, and
 * on CUDA where it is available (test/gpu/run.sh; skipped here with the probe's reason).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { Embedding, Tensor, backends, clipGradNorm, linear, losses, noGrad, optim, type Device, type FloatDType } from '../lib/index';

interface Encoded { shape: number[]; dtype: 'float' | 'int32'; data: number[] }
interface LossCase { name: string; fn: string; dtype: FloatDType; options: Record<string, unknown>; input: Encoded; target: Encoded; weight?: Encoded; posWeight?: Encoded; loss: Encoded; upstream: Encoded; gradInput: Encoded }
interface OptimizerCase { name: string; optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad'; dtype: FloatDType; options: Record<string, number | boolean>; params: Encoded[]; grads: Encoded[][]; after: Encoded[][] }
interface ClipCase { dtype: FloatDType; normType: number | 'inf'; maxNorm: number; grads: Encoded[]; total: number; after: Encoded[] }

const cuda = backends().find((b) => b.name === 'cuda')!;
if (!cuda.available) console.log(`training fixtures on CUDA skipped: ${cuda.reason}`);
const DEVICES: Device[] = cuda.available ? ['cpu', 'cuda'] : ['cpu'];
let device: Device = 'cpu';

const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'training', 'training.json'), 'utf8'));
const tolerance = (dtype: FloatDType): number => (dtype === 'float64' ? 1e-10 : 1e-5);

function tensorOf(e: Encoded, dtype: FloatDType): Tensor {
  return Tensor.from(e.data, e.shape, { dtype: e.dtype === 'int32' ? 'int32' : dtype, device });
}

/** Values on the host, from any device. */
function hostValues(t: Tensor): ArrayLike<number> {
  if (t.device === 'cpu') return t.dataSync();
  const onCpu = t.to('cpu');
  const values = onCpu.dataSync();
  onCpu.dispose();
  return values;
}

function expectClose(actual: ArrayLike<number>, expected: Encoded | number[], tol: number, what: string): void {
  const values = Array.isArray(expected) ? expected : expected.data;
  expect(actual.length, `${what}: length`).toBe(values.length);
  for (let i = 0; i < values.length; i++) {
    const scale = Math.max(1, Math.abs(values[i]));
    if (!(Math.abs(actual[i] - values[i]) <= tol * scale)) throw new Error(`${what}[${i}]: ${actual[i]} vs torch ${values[i]} (tolerance ${tol})`);
  }
}

const LOSSES = losses as unknown as Record<string, (input: Tensor, target: Tensor, options?: object) => Tensor>;

for (const onDevice of DEVICES) {
describe(`${onDevice}: training stack against PyTorch`, () => {
  beforeAll(() => { device = onDevice; });
describe('losses', () => {
  for (const c of fixtures.losses as LossCase[]) {
    it(`${c.dtype}: ${c.name}`, () => {
      const input = tensorOf(c.input, c.dtype).requiresGrad_();
      const target = tensorOf(c.target, c.dtype);
      const weight = c.weight && tensorOf(c.weight, c.dtype);
      const posWeight = c.posWeight && tensorOf(c.posWeight, c.dtype);
      const options = { ...c.options, ...(weight ? { weight } : {}), ...(posWeight ? { posWeight } : {}) };
      const loss = LOSSES[c.fn](input, target, options);
      expect(loss.shape).toEqual(c.loss.shape);
      expectClose(hostValues(loss), c.loss, tolerance(c.dtype), 'loss');
      const upstream = tensorOf(c.upstream, c.dtype);
      loss.backward(loss.ndim === 0 ? undefined : upstream);
      expectClose(hostValues(input.grad!), c.gradInput, tolerance(c.dtype), 'input gradient');
      for (const t of [input.grad!, input, target, weight, posWeight, loss, upstream]) t?.dispose();
    });
  }
});

describe('layers', () => {
  for (const c of fixtures.layers) {
    it(`${c.dtype}: ${c.name}`, () => {
      const dtype = c.dtype as FloatDType;
      if (c.name === 'linear') {
        const [x, w, b] = [c.x, c.weight, c.bias].map((e: Encoded) => tensorOf(e, dtype).requiresGrad_());
        const out = linear(x, w, b);
        expectClose(hostValues(out), c.out, tolerance(dtype), 'output');
        out.backward(tensorOf(c.upstream, dtype));
        expectClose(hostValues(x.grad!), c.gradX, tolerance(dtype), 'x gradient');
        expectClose(hostValues(w.grad!), c.gradWeight, tolerance(dtype), 'weight gradient');
        expectClose(hostValues(b.grad!), c.gradBias, tolerance(dtype), 'bias gradient');
        return;
      }
      const emb = new Embedding({ numEmbeddings: c.weight.shape[0], embeddingDim: c.weight.shape[1], paddingIdx: c.paddingIdx, dtype, device });
      const source = tensorOf(c.weight, dtype);
      emb.loadStateDict({ weight: source });
      const out = emb.forward(tensorOf(c.index, dtype));
      expectClose(hostValues(out), c.out, tolerance(dtype), 'output');
      out.backward(tensorOf(c.upstream, dtype));
      expectClose(hostValues(emb.weight.grad!), c.gradWeight, tolerance(dtype), 'weight gradient (padding row zero)');
      emb.dispose();
    });
  }
});

describe('optimizers', () => {
  for (const c of fixtures.optimizers as OptimizerCase[]) {
    it(`${c.dtype}: ${c.name} over ${c.grads.length} steps`, () => {
      const params = c.params.map((e) => tensorOf(e, c.dtype).requiresGrad_());
      const Class = optim[c.optimizer] as unknown as new (p: Tensor[], o: object) => optim.Optimizer;
      const opt = new Class(params, c.options);
      c.grads.forEach((stepGrads, step) => {
        params.forEach((p, i) => {
          p.grad?.dispose();
          p.grad = tensorOf(stepGrads[i], c.dtype);
        });
        opt.step();
        params.forEach((p, i) => expectClose(hostValues(p), c.after[step][i], tolerance(c.dtype), `step ${step + 1} parameter ${i}`));
      });
      // A fresh optimizer loaded from stateDict continues exactly: one more step on copies of
      // the parameters gives the same values as the original optimizer's next step.
      const dict = opt.stateDict();
      const copies = params.map((p) => noGrad(() => p.mul(1)).requiresGrad_());
      const resumed = new Class(copies, c.options);
      resumed.loadStateDict(dict);
      for (const s of Object.values(dict.state)) for (const t of Object.values(s.tensors)) t.dispose();
      expect([...resumed.state.values()].map((s) => s.step)).toEqual(params.map(() => c.grads.length));
      const last = c.grads[c.grads.length - 1];
      [params, copies].forEach((list) => list.forEach((p, i) => {
        p.grad?.dispose();
        p.grad = tensorOf(last[i], c.dtype);
      }));
      opt.step();
      resumed.step();
      params.forEach((p, i) => expect(Array.from(hostValues(copies[i]))).toEqual(Array.from(hostValues(p))));
      for (const t of [...copies.map((p) => p.grad!), ...copies, ...params.map((p) => p.grad!), ...params]) t.dispose();
      opt.dispose();
      resumed.dispose();
    });
  }

  it("Adagrad's sums exist before the first step, filled with initialAccumulatorValue, as torch's do", () => {
    const p = Tensor.zeros([3], { dtype: 'float64' }).requiresGrad_();
    const opt = new optim.Adagrad([p], { initialAccumulatorValue: 0.25 });
    const dict = opt.stateDict();
    expect(Object.keys(dict.state)).toEqual(['0']);
    expect(dict.state[0].step).toBe(0);
    expect(Array.from(hostValues(dict.state[0].tensors.sum))).toEqual([0.25, 0.25, 0.25]);
    dict.state[0].tensors.sum.dispose();
    opt.dispose();
    p.dispose();
  });
});

describe('clipGradNorm', () => {
  for (const c of fixtures.clip as ClipCase[]) {
    it(`${c.dtype}: norm ${c.normType}, maxNorm ${c.maxNorm}`, () => {
      const params = c.grads.map((g) => {
        const p: Tensor = Tensor.zeros(g.shape, { dtype: c.dtype, device }).requiresGrad_();
        p.grad = tensorOf(g, c.dtype);
        return p;
      });
      const total = clipGradNorm(params, c.maxNorm, { normType: c.normType === 'inf' ? Infinity : c.normType });
      expectClose(hostValues(total), [c.total], tolerance(c.dtype), 'total norm');
      params.forEach((p, i) => expectClose(hostValues(p.grad!), c.after[i], tolerance(c.dtype), `gradient ${i}`));
      for (const p of params) {
        p.grad!.dispose();
        p.dispose();
      }
      total.dispose();
    });
  }
});
});
}
