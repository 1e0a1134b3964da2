/**
 * Runs every row of the op-case table (op-cases.ts): a float64 finite-difference gradient
 * check, leak checks (forward and backward, forward whose results are dropped, inference), the
 * row's bad inputs (each a typed error that leaks nothing), and the CPU against CUDA (skipped,
 * with the probe's reason, where CUDA is unavailable).
 */
import { describe, expect, it } from 'vitest';

import { Generator, Tensor, add, backends, memory, mul, noGrad, scope, sum, type DType, type Device } from '../../lib/index';
import { DEVICE_CODE } from '../../lib/dtype';
import { native } from '../../lib/native/binding';
import { gradcheck } from '../helpers/gradcheck';
import { opCases, type InputSpec, type OpCase } from './op-cases';

const cuda = backends().find((b) => b.name === 'cuda')!;
if (!cuda.available) console.log(`op-table: CPU against CUDA skipped: ${cuda.reason}`);

function makeInputs(specs: InputSpec[], dtype: DType, device: Device, seed: number): Tensor[] {
  const generator = new Generator(seed);
  return specs.map(({ shape, range }) => {
    const t = range ? Tensor.rand(shape, { dtype, generator, low: range[0], high: range[1] })
      : Tensor.randn(shape, { dtype, generator });
    return device === 'cpu' ? t : moveTo(t, device);
  });
}

function moveTo(t: Tensor, device: Device): Tensor {
  const moved = t.to(device);
  t.dispose();
  return moved;
}

/** Fixed random weights for each output, so the gradient check sees a scalar of every output element. */
function projections(row: OpCase, seed: number): Tensor[] {
  const inputs = makeInputs(row.inputs, 'float64', 'cpu', seed);
  const outputs = noGrad(() => row.run(inputs));
  const generator = new Generator(seed + 1);
  const weights = outputs.map((o) => Tensor.randn([...o.shape], { dtype: 'float64', generator }));
  for (const t of [...inputs, ...outputs]) t.dispose();
  return weights;
}

function projected(outputs: Tensor[], weights: Tensor[]): Tensor {
  return scope(() => {
    let total: Tensor | null = null;
    for (let i = 0; i < outputs.length; i++) {
      const term = sum(mul(outputs[i], weights[i] as never));
      total = total ? add(total, term) : term;
    }
    return total!;
  });
}

function settledMemory(): { tensors: number; hostBytes: number } {
  native.synchronize(DEVICE_CODE.cpu);
  const { tensors, hostBytes } = memory();
  return { tensors, hostBytes };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) {
      throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
}

function valuesOf(t: Tensor): number[] {
  const onCpu = t.to('cpu');
  const values = Array.from(onCpu.dataSync());
  onCpu.dispose();
  return values;
}

/** Outputs and input gradients of one run on `device`, as plain arrays. */
function runOn(row: OpCase, dtype: DType, device: Device, seed: number): number[][] {
  const inputs = makeInputs(row.inputs, dtype, device, seed);
  if (row.grad !== false) inputs.forEach((t) => t.requiresGrad_());
  const outputs = row.run(inputs);
  const values = outputs.map(valuesOf);
  if (row.grad !== false) {
    const weights = projections(row, seed).map((w) => {
      const typed = Tensor.from(w.dataSync(), w.shape, { dtype, device });
      w.dispose();
      return typed;
    });
    const loss = projected(outputs, weights);
    loss.backward();
    for (const t of [loss, ...weights]) t.dispose();
    for (const t of inputs) values.push(t.grad ? valuesOf(t.grad) : []);
  }
  for (const t of [...inputs, ...outputs]) {
    t.grad?.dispose();
    t.dispose();
  }
  return values;
}

describe('op-case table', () => {
  opCases.forEach((row, index) => {
    const seed = 100 + index;
    describe(row.name, () => {
      it.runIf(row.grad !== false)('float64 gradients match finite differences', () => {
        const weights = projections(row, seed);
        const inputs = makeInputs(row.inputs, 'float64', 'cpu', seed);
        gradcheck((leaves) => scope(() => projected(row.run(leaves), weights)), inputs, { eps: 1e-6, atol: 1e-7, rtol: 1e-6 });
        for (const t of [...weights, ...inputs]) t.dispose();
      });

      it('leaks nothing: forward and backward, dropped results, inference', () => {
        const start = settledMemory();
        runOn(row, 'float32', 'cpu', seed);
        expect(settledMemory()).toEqual(start);
        // A recorded forward whose results are disposed without backward frees what it saved at once.
        const inputs = makeInputs(row.inputs, 'float32', 'cpu', seed);
        if (row.grad !== false) inputs.forEach((t) => t.requiresGrad_());
        for (const out of row.run(inputs)) out.dispose();
        for (const out of noGrad(() => row.run(inputs))) out.dispose();
        for (const t of inputs) t.dispose();
        expect(settledMemory()).toEqual(start);
      });

      for (const bad of row.bad ?? []) {
        it(`refuses ${bad.what} with a typed error, leaking nothing`, () => {
          const valid = makeInputs(row.inputs, 'float32', 'cpu', seed);
          const made = bad.make?.() ?? [];
          const before = settledMemory();
          let caught: unknown;
          try {
            bad.call(valid, made);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(bad.error);
          expect((caught as Error).message).toMatch(bad.message);
          expect(settledMemory()).toEqual(before);
          for (const t of [...valid, ...made]) {
            t.grad?.dispose();
            t.dispose();
          }
        });
      }

      for (const dtype of ['float64', 'float32'] as const) {
        it.skipIf(!cuda.available || row.cuda === false)(`${dtype}: cuda equals cpu (outputs and gradients)`, () => {
          const tol = dtype === 'float64' ? 1e-9 : 1e-4;
          const onCpu = runOn(row, dtype, 'cpu', seed);
          const onCuda = runOn(row, dtype, 'cuda', seed);
          onCpu.forEach((values, i) => expectClose(onCuda[i], values, tol, `${row.name} result ${i}`));
        });
      }
    });
  });
});
