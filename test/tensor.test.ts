import { describe, expect, it } from 'vitest';

import { ArgumentError, DisposedError, DTypeError, DeviceError, ShapeError, Tensor, memory } from '../lib/index';

describe('Tensor.from round trips', () => {
  const cases = [
    { dtype: 'float32' as const, values: [1.5, -2.25, 3e-8, 1e30, 0, -0], Array: Float32Array },
    { dtype: 'float64' as const, values: [Math.PI, -1e-300, 1e300, 0.1, Number.MIN_VALUE, -7], Array: Float64Array },
    { dtype: 'int32' as const, values: [0, -1, 2147483647, -2147483648, 42, 7], Array: Int32Array },
  ];
  for (const { dtype, values, Array: TA } of cases) {
    it(`keeps ${dtype} values bit for bit (typed array, plain array, nested)`, async () => {
      const typed = TA.from(values);
      const a = Tensor.from(typed, [2, 3]);
      expect(a.dtype).toBe(dtype);
      expect(a.shape).toEqual([2, 3]);
      expect(a.device).toBe('cpu');
      expect(a.dataSync()).toEqual(typed);
      expect(await a.data()).toEqual(typed);
      expect(a.toArraySync()).toEqual([Array.from(typed.slice(0, 3)), Array.from(typed.slice(3))]);
      expect(await a.toArray()).toEqual(a.toArraySync());

      const b = Tensor.from([values.slice(0, 3), values.slice(3)], undefined, { dtype });
      expect(b.shape).toEqual([2, 3]);
      expect(b.dataSync()).toEqual(typed);
      const c = Tensor.from(values, [3, 1, 2], { dtype });
      expect(c.shape).toEqual([3, 1, 2]);
      expect(c.dataSync()).toEqual(typed);
      for (const t of [a, b, c]) t.dispose();
    });
  }

  it('handles scalars, 1-D, 4-D and zero-size shapes', async () => {
    const scalar = Tensor.from(3.5);
    expect(scalar.shape).toEqual([]);
    expect(scalar.numel).toBe(1);
    expect(scalar.toArraySync()).toBe(3.5);
    expect(await scalar.item()).toBe(3.5);
    expect(scalar.itemSync()).toBe(3.5);
    const vector = Tensor.from(new Float64Array([1, 2, 3]));
    expect(vector.shape).toEqual([3]);
    const four = Tensor.from(Float32Array.from({ length: 24 }, (_, i) => i), [1, 2, 3, 4]);
    expect((four.toArraySync() as number[][][][])[0][1][2][3]).toBe(23);
    const empty = Tensor.from([], [0, 5]);
    expect(empty.numel).toBe(0);
    expect(empty.dataSync()).toEqual(new Float32Array(0));
    expect(await empty.data()).toEqual(new Float32Array(0));
    for (const t of [scalar, vector, four, empty]) t.dispose();
  });

  it('converts between dtypes on the way in', () => {
    const t = Tensor.from(new Float64Array([1.25, 2.5]), [2], { dtype: 'float32' });
    expect(t.dtype).toBe('float32');
    expect(t.dataSync()).toEqual(new Float32Array([1.25, 2.5]));
    const i = Tensor.from(new Float32Array([3, -4]), [2], { dtype: 'int32' });
    expect(i.dataSync()).toEqual(new Int32Array([3, -4]));
    const u8 = Tensor.from(new Uint8Array([1, 255]));
    expect(u8.dtype).toBe('float32');
    expect(u8.dataSync()).toEqual(new Float32Array([1, 255]));
    for (const x of [t, i, u8]) x.dispose();
  });

  it('creates filled tensors', () => {
    const z = Tensor.zeros([2, 2], { dtype: 'float64' });
    const o = Tensor.ones([3], { dtype: 'int32' });
    const f = Tensor.full([2], -1.5);
    expect(z.dataSync()).toEqual(new Float64Array(4));
    expect(o.dataSync()).toEqual(new Int32Array([1, 1, 1]));
    expect(f.dataSync()).toEqual(new Float32Array([-1.5, -1.5]));
    for (const t of [z, o, f]) t.dispose();
  });
});

describe('bad input', () => {
  it('names the argument, the expected and the actual value', () => {
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => Tensor.from([1, 2, 3], [2, 2])).toThrow('shape [2, 2] holds 4 elements but data has 3');
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(/data\[1\] must be an array of length 2/);
    expect(() => Tensor.from([[1, 2], [3, 'x']] as never)).toThrow(/data\[1\]\[1\] must be a number, got "x"/);
    expect(() => Tensor.from([1], [-1])).toThrow(/shape\[0\] must be a non-negative integer, got -1/);
    expect(() => Tensor.from([1], [1.5])).toThrow(ShapeError);
    expect(() => Tensor.from('abc' as never)).toThrow(ArgumentError);
    expect(() => Tensor.from(new BigInt64Array(2) as never)).toThrow(ArgumentError);
    expect(() => Tensor.from([1], [1], { dtype: 'float16' as never })).toThrow(DTypeError);
    expect(() => Tensor.from([1], [1], { dtype: 'float16' as never })).toThrow(/options.dtype must be one of 'float32', 'float64', 'int32', got "float16"/);
    expect(() => Tensor.from([1], [1], { device: 'tpu' as never })).toThrow(DeviceError);
    expect(() => Tensor.from([1.5], [1], { dtype: 'int32' })).toThrow(/data\[0\] = 1.5 cannot be stored exactly as int32/);
    expect(() => Tensor.from([2 ** 31], [1], { dtype: 'int32' })).toThrow(DTypeError);
    expect(() => Tensor.full([1], 0.5, { dtype: 'int32' })).toThrow(DTypeError);
    expect(() => Tensor.zeros('3' as never)).toThrow(ShapeError);
    expect(memory().tensors).toBe(0);
  });

  it('rejects item() on tensors with more than one element', () => {
    const t = Tensor.zeros([2]);
    expect(() => t.itemSync()).toThrow(/exactly one element, got shape \[2\]/);
    t.dispose();
  });
});

describe('views', () => {
  it('reshape infers -1 and shares memory', () => {
    const t = Tensor.from(Float32Array.from({ length: 12 }, (_, i) => i), [3, 4]);
    const r = t.reshape([2, -1]);
    expect(r.shape).toEqual([2, 6]);
    expect(r.dataSync()).toEqual(t.dataSync());
    expect(() => t.reshape([5, -1])).toThrow(/cannot reshape a tensor of shape \[3, 4\] \(12 elements\) to \[5, -1\]/);
    expect(() => t.reshape([-1, -1])).toThrow(/more than one -1/);
    expect(() => t.reshape([2, 2])).toThrow(ShapeError);
    t.dispose();
    // The view keeps the storage alive after its base is disposed.
    expect(r.dataSync()[11]).toBe(11);
    r.dispose();
    expect(memory().hostBytes).toBe(0);
  });

  it('narrow(dim, start, length) is PyTorch\'s: a view on dim 0, a copy on other dims', () => {
    const t = Tensor.from([[1, 2], [3, 4], [5, 6]]);
    const rows = t.narrow(0, 1, 2);
    expect(rows.toArraySync()).toEqual([[3, 4], [5, 6]]);
    expect(t.narrow(0, 3, 0).shape).toEqual([0, 2]);
    expect(t.narrow(1, 1, 1).toArraySync()).toEqual([[2], [4], [6]]);
    expect(t.narrow(-1, 0, 1).toArraySync()).toEqual([[1], [3], [5]]);
    expect(t.narrow(0, -1, 1).toArraySync()).toEqual([[5, 6]]);
    expect(() => t.narrow(0, 2, 2)).toThrow(/narrow\(\): length must be an integer in \[0, 1\]/);
    expect(() => t.narrow(2, 0, 1)).toThrow(/narrow\(\): dim must be an integer in \[-2, 1\]/);
    expect(() => t.narrow(0, 4, 0)).toThrow(ArgumentError);
    const cube = Tensor.from([...Array(24).keys()], [2, 3, 4]);
    expect(cube.narrow(1, 1, 2).toArraySync()).toEqual([[[4, 5, 6, 7], [8, 9, 10, 11]], [[16, 17, 18, 19], [20, 21, 22, 23]]]);
    expect(cube.narrow(2, 3, 1).reshape([6]).toArraySync()).toEqual([3, 7, 11, 15, 19, 23]);
    // A leading run of size-1 dimensions keeps the elements contiguous: still a view.
    const row = Tensor.from([[1, 2, 3]]);
    const view = row.narrow(1, 1, 2);
    row.fill_(7);
    expect(view.toArraySync()).toEqual([[7, 7]]);
    for (const x of [t, rows, cube, row, view]) x.dispose();
  });
});

describe('dispose', () => {
  it('is idempotent and makes later use a DisposedError', async () => {
    const t = Tensor.ones([4]);
    expect(t.disposed).toBe(false);
    t.dispose();
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.dataSync()).toThrow(DisposedError);
    expect(() => t.reshape([2, 2])).toThrow(/was disposed and cannot be used/);
    await expect(t.data()).rejects.toThrow(DisposedError);
    expect(String(t)).toBe('Tensor(shape=[4], dtype=float32, device=cpu, disposed)');
  });

  it('supports `using` through Symbol.dispose', () => {
    const before = memory().tensors;
    {
      using t = Tensor.zeros([8]);
      expect(memory().tensors).toBe(before + 1);
      expect(t.numel).toBe(8);
    }
    expect(memory().tensors).toBe(before);
  });
});

describe('in-place updates', () => {
  it('add_ and fill_ update the tensor and refuse tensors on the tape', async () => {
    const { noGrad } = await import('../lib/index');
    const t = Tensor.from([1, 2, 3], undefined, { dtype: 'float64' });
    t.add_(Tensor.from([1, 1, 1], undefined, { dtype: 'float64' }), -0.5);
    expect(Array.from(t.dataSync())).toEqual([0.5, 1.5, 2.5]);
    expect(() => t.add_(Tensor.zeros([3]))).toThrow(DTypeError);
    expect(() => t.add_(Tensor.zeros([2], { dtype: 'float64' }))).toThrow(/other must have shape \[3\], got \[2\]/);
    t.zero_();
    expect(Array.from(t.dataSync())).toEqual([0, 0, 0]);
    const p = Tensor.ones([2]).requiresGrad_();
    expect(() => p.fill_(3)).toThrow(/inside noGrad/);
    noGrad(() => p.fill_(3));
    expect(Array.from(p.dataSync())).toEqual([3, 3]);
  });
});

describe('embedded data', () => {
  it('has the yearly sunspot series 1700-2008', async () => {
    const { datasets } = await import('../lib/index');
    const { years, values } = datasets.sunspots();
    expect(years.length).toBe(309);
    expect(years[0]).toBe(1700);
    expect(years[308]).toBe(2008);
    expect(values[0]).toBe(5);
    expect(Math.max(...values)).toBeCloseTo(190.2, 3);
  });
});
