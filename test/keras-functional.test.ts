/**
 * keras.input and keras.model: inputs of any length ([null, features], Keras's None), and the
 * functional spelling of a chain of layers (tutorial 4's second program).
 */
import { describe, expect, it } from 'vitest';

import { ArgumentError, ShapeError, Tensor, keras, manualSeed } from '../lib/index';

describe('keras.input and keras.model', () => {
  it('tutorial 4, functional: Model(inputs, Dense(1)(GRU(64)(inputs))) on inputs of any length', async () => {
    manualSeed(123);
    const inputs = keras.input({ shape: [null, 1] });
    const outputs = keras.layers.dense({ units: 1 }).apply(keras.layers.gru({ units: 64 }).apply(inputs));
    const model = keras.model({ inputs, outputs });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const points = Float32Array.from({ length: 100 }, (_, i) => Math.sin((4 * Math.PI * i) / 99));
    const x = Tensor.from(points, [100, 1, 1]);
    const y = Tensor.from(points.map((v) => v * v), [100, 1]);
    const h = await model.fit(x, y, { epochs: 3, batchSize: 1, verbose: 0 });
    expect(h.history.loss[2]).toBeLessThan(h.history.loss[0]);
    expect(model.countParams()).toBe(12864 + 65);
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    expect(lines[0]).toMatch(/^Model: "functional(_\d+)?"$/);
    expect(lines.join('\n')).toMatch(/gru(_\d+)? \(GRU\) +│ \(None, 64\)/);
    // Any length: the same model on sequences of 5 steps.
    const longer = Tensor.zeros([2, 5, 1]);
    expect(model.predict(longer).shape).toEqual([2, 1]);
    expect(() => model.predict(Tensor.zeros([2, 5, 2]))).toThrow(ShapeError);
    for (const t of [x, y, longer]) t.dispose();
    model.dispose();
  });

  it('is the same model as the Sequential of its layers', () => {
    manualSeed(4);
    const inputs = keras.input({ shape: [6, 3] });
    const gru = keras.layers.gru({ units: 4, returnSequences: true });
    const dense = keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 2 }) });
    const functional = keras.model({ inputs, outputs: dense.apply(gru.apply(inputs)), name: 'f' });
    const sequential = keras.sequential([keras.input({ shape: [6, 3] }), keras.layers.gru({ units: 4, returnSequences: true }),
      keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 2 }) })]);
    sequential.setWeights(functional.getWeights());
    const x = Tensor.randn([2, 6, 3]);
    expect(Array.from(functional.predict(x).dataSync())).toEqual(Array.from(sequential.predict(x).dataSync()));
    expect(functional.name).toBe('f');
    x.dispose();
    functional.dispose();
    sequential.dispose();
  });

  it('refuses graphs that are not a chain, and bad inputs', () => {
    const a = keras.input({ shape: [3, 2] }), b = keras.input({ shape: [3, 2] });
    const gru = keras.layers.gru({ units: 2 });
    const out = gru.apply(a);
    expect(() => keras.model({ inputs: b, outputs: out })).toThrow(/computed from options.inputs/);
    expect(() => keras.model({ inputs: out, outputs: out })).toThrow(/must be a keras.input/);
    expect(() => keras.model({ inputs: [a, b], outputs: out })).toThrow(/several inputs/);
    expect(() => keras.model({ inputs: a, outputs: out, extra: 1 } as never)).toThrow(ArgumentError);
    const shared = keras.layers.dense({ units: 2 });
    expect(() => keras.model({ inputs: a, outputs: shared.apply(shared.apply(keras.layers.dense({ units: 2 }).apply(a))) })).toThrow(/applied twice/);
    expect(() => keras.layers.gru({ units: 2, returnState: true }).apply(a)).toThrow(/returnState/);
    expect(() => keras.input({ shape: [0, 2] })).toThrow(ArgumentError);
    expect(() => keras.input({ shape: [2], size: 3 } as never)).toThrow(ArgumentError);
    expect(() => keras.sequential([keras.layers.dense({ units: 1 }), keras.input({ shape: [2] })])).toThrow(/must come first/);
    // A GRU needs its features known to build.
    expect(() => keras.sequential([keras.input({ shape: [4, null] }), keras.layers.gru({ units: 2 })])).toThrow(/features dimension of its input must be known/);
  });
});
