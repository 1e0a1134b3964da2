/** Module for user subclasses (children and parameters found from fields), containers, to(), dispose. */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  ArgumentError, BackendUnavailableError, DeviceError, DisposedError, GRU, GRUCell, Generator, Module, Tensor, backends, memory, noGrad, scope,
} from '../lib/index';
import { DEVICE_CODE } from '../lib/dtype';
import { native } from '../lib/native/binding';
import { ModuleList, Sequential } from '../lib/nn/containers';

let baseline: { tensors: number; hostBytes: number };
beforeAll(() => {
  baseline = settledMemory();
});

const cudaAvailable = backends().find((b) => b.name === 'cuda')!.available;

function settledMemory(): { tensors: number; hostBytes: number } {
  native.synchronize(DEVICE_CODE.cpu); // queued ops hold what they use until they have run
  const { tensors, hostBytes } = memory();
  return { tensors, hostBytes };
}

/** forward(x)'s values, freeing everything the call made. */
function run(module: { forward(x: Tensor): Tensor }, x: Tensor): ArrayLike<number> {
  return scope(() => module.forward(x).dataSync());
}

/** A tensor that claims to be on cuda: sends to('cpu') through the copy path on a machine without a GPU (the addon copies cpu → cpu). */
function claimCuda(t: Tensor): void {
  Object.defineProperty(t, 'device', { value: 'cuda' });
}

/** Distinct, reproducible initial values for every module made (class fields take no constructor arguments). */
let seed = 100;
const nextGenerator = () => new Generator(seed++);

class Encoder extends Module {
  cell = new GRUCell({ inputSize: 3, hiddenSize: 3, generator: nextGenerator() });
  scale = Tensor.randn([3], { generator: nextGenerator() }).requiresGrad_();
}

class Model extends Module {
  gru = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, generator: nextGenerator() });
  encoder = new Encoder();
  head = Tensor.randn([3, 2], { generator: nextGenerator() }).requiresGrad_();
  // Neither is discovered: a tensor that needs no gradient, and a plain object.
  constant = Tensor.ones([2]);
  settings = { hiddenSize: 3 };

  forward(x: Tensor): Tensor {
    const { output, hN } = this.gru.forward(x);
    hN.dispose();
    const last = output.narrow(0, output.shape[0] - 1, 1).reshape([output.shape[1], 3]);
    return this.encoder.cell.forward(last).mul(this.encoder.scale.sum()).matmul(this.head);
  }

  override dispose(): void {
    super.dispose();
    this.constant.dispose();
  }
}

const GRU_NAMES = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1'];
const CELL_NAMES = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'];
const MODEL_NAMES = ['head', ...GRU_NAMES.map((n) => `gru.${n}`), 'encoder.scale', ...CELL_NAMES.map((n) => `encoder.cell.${n}`)];

afterEach(() => {
  expect(settledMemory().tensors, 'tensors left by this test').toBe(baseline.tensors);
});

describe('a user subclass of Module', () => {
  it('finds children and parameters from its fields, with PyTorch names and order', () => {
    const model = new Model();
    expect(model.namedParameters().map(([n]) => n)).toEqual(MODEL_NAMES);
    expect(model.namedModules().map(([n]) => n)).toEqual(['', 'gru', 'encoder', 'encoder.cell']);
    expect(model.namedChildren().map(([n]) => n)).toEqual(['gru', 'encoder']);
    expect(model.children()).toEqual([model.gru, model.encoder]);
    expect(model.modules()[3]).toBe(model.encoder.cell);
    expect(model.namedParameters('model')[0][0]).toBe('model.head');
    expect(model.namedModules('model').map(([n]) => n)).toEqual(['model', 'model.gru', 'model.encoder', 'model.encoder.cell']);
    expect(model.parameters()[0]).toBe(model.head);
    // The GRU's parameters are its flat buffer's views, listed once (its internal fields are not tensors).
    expect(model.gru.namedParameters().map(([n]) => n)).toEqual(GRU_NAMES);
    model.dispose();
  });

  it('lists registered members first, then fields; a registered name hides a field of that name', () => {
    class Mixed extends Module {
      late = new GRUCell({ inputSize: 2, hiddenSize: 2 });
      shadowed = new GRUCell({ inputSize: 2, hiddenSize: 2 });
      w = Tensor.zeros([2]).requiresGrad_();
      constructor() {
        super();
        this.registerModule('early', new GRUCell({ inputSize: 2, hiddenSize: 2 }));
        this.registerModule('shadowed', new GRUCell({ inputSize: 2, hiddenSize: 1 }));
        this.registerParameter('p', Tensor.zeros([1]));
      }
    }
    const m = new Mixed();
    expect(m.namedChildren().map(([n]) => n)).toEqual(['early', 'shadowed', 'late']);
    expect(m.namedParameters().filter(([n]) => !n.includes('.')).map(([n]) => n)).toEqual(['p', 'w']);
    expect(m.namedParameters().find(([n]) => n === 'shadowed.weight_hh')![1].shape).toEqual([3, 1]);
    m.shadowed.dispose(); // the field no one lists
    m.dispose();
  });

  it('lists a module or tensor reached twice once, under its first name, and survives cycles', () => {
    class Tied extends Module {
      first = new GRUCell({ inputSize: 2, hiddenSize: 2 });
      again = this.first;
      w = Tensor.zeros([2]).requiresGrad_();
      tied = this.w;
      inner = new Encoder();
    }
    const m = new Tied();
    (m.inner as unknown as { parent: Module }).parent = m; // a field holding an ancestor
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'first', 'inner', 'inner.cell']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['first', 'inner']);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['w', ...CELL_NAMES.map((n) => `first.${n}`), 'inner.scale', ...CELL_NAMES.map((n) => `inner.cell.${n}`)]);
    expect(m.inner.namedModules().map(([n]) => n)).toEqual(['', 'cell', 'parent', 'parent.first']);
    expect(m.numParameters()).toBe(2 + 36 + 3 + 72);
    m.eval();
    expect(m.first.training).toBe(false);
    m.zeroGrad();
    m.dispose();
    expect(m.first.disposed && m.inner.cell.disposed && m.w.disposed).toBe(true);
  });

  it('does not search arrays or plain objects (use ModuleList)', () => {
    class Hidden extends Module {
      cells = [new GRUCell({ inputSize: 2, hiddenSize: 2 })];
      byName = { a: new GRUCell({ inputSize: 2, hiddenSize: 2 }) };
      list = new ModuleList([new GRUCell({ inputSize: 2, hiddenSize: 2 })]);
    }
    const m = new Hidden();
    expect(m.namedModules().map(([n]) => n)).toEqual(['', 'list', 'list.0']);
    expect(m.namedParameters().map(([n]) => n)).toEqual(CELL_NAMES.map((n) => `list.0.${n}`));
    m.cells[0].dispose();
    m.byName.a.dispose();
    m.dispose();
  });

  it('keeps a field parameter that is frozen after it was found, and counts parameters', () => {
    const model = new Model();
    const gruCount = 9 * 2 + 9 * 3 + 18 + 9 * 3 + 9 * 3 + 18;
    const total = 6 + gruCount + 3 + 9 * 3 * 2 + 18;
    expect(model.numParameters()).toBe(total);
    model.head.requiresGrad = false;
    for (const p of model.gru.parameters()) p.requiresGrad = false;
    expect(model.namedParameters().map(([n]) => n)).toEqual(MODEL_NAMES);
    expect(model.numParameters()).toBe(total);
    expect(model.numParameters(true)).toBe(total - 6 - gruCount);
    expect(() => model.numParameters('yes' as never)).toThrow(/numParameters\(\): onlyTrainable must be a boolean, got "yes"/);
    model.dispose();
  });

  it('train()/eval() reach every descendant, fields and containers alike', () => {
    class Deep extends Module {
      model = new Model();
      stack = new Sequential(new GRUCell({ inputSize: 2, hiddenSize: 2 }));
    }
    const m = new Deep();
    expect(m.eval()).toBe(m);
    expect(m.modules().map((x) => x.training)).toEqual(new Array(7).fill(false));
    m.model.encoder.train();
    expect(m.model.encoder.cell.training).toBe(true);
    expect(m.model.gru.training).toBe(false);
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
    expect(() => m.train('no' as never)).toThrow(/train\(\): mode must be a boolean, got "no"/);
    m.dispose();
  });

  it('stateDict/loadStateDict round-trip field parameters too', () => {
    const a = new Model();
    const b = new Model();
    const state = a.stateDict();
    expect(b.head.dataSync()).not.toEqual(a.head.dataSync());
    expect(Object.keys(state)).toEqual(MODEL_NAMES);
    b.loadStateDict(state);
    for (const [name, p] of b.namedParameters()) expect(p.dataSync(), name).toEqual(state[name].dataSync());
    const x = Tensor.randn([4, 2, 2], { generator: new Generator(5) });
    expect(run(b, x)).toEqual(run(a, x));
    const { head, ...rest } = state;
    expect(() => b.loadStateDict(rest)).toThrow(/Missing: head\./);
    const wrong = Tensor.zeros([4]);
    expect(() => b.loadStateDict({ ...state, 'encoder.scale': wrong })).toThrow(/encoder.scale must have shape \[3\], got \[4\]/);
    wrong.dispose();
    head.dispose();
    Object.values(rest).forEach((t) => t.dispose());
    x.dispose();
    a.dispose();
    b.dispose();
  });

  it('zeroGrad() clears the gradients of field parameters and layers', () => {
    const model = new Model();
    scope(() => model.forward(Tensor.randn([3, 2, 2], { generator: new Generator(6) })).sum().backward());
    expect(model.head.grad!.dataSync().some((v) => v !== 0)).toBe(true);
    expect(model.gru.flatWeights.grad!.dataSync().some((v) => v !== 0)).toBe(true);
    model.zeroGrad();
    for (const [name, p] of model.namedParameters()) expect(p.grad!.dataSync().every((v) => v === 0), name).toBe(true);
    model.dispose();
  });

  it('dispose() frees every parameter and gradient of the tree, and refuses use afterwards', () => {
    const start = settledMemory();
    const model = new Model();
    scope(() => model.forward(Tensor.randn([3, 2, 2], { generator: new Generator(7) })).sum().backward());
    const state = model.stateDict();
    Object.values(state).forEach((t) => t.dispose());
    model.dispose();
    model.dispose();
    expect(model.encoder.disposed && model.encoder.cell.disposed && model.gru.disposed && model.head.disposed).toBe(true);
    expect(settledMemory()).toEqual(start);
    expect(() => model.parameters()).toThrow(DisposedError);
    expect(() => model.to('cpu')).toThrow(DisposedError);
  });

  it('refuses bad registrations with messages naming the argument', () => {
    class Bad extends Module {
      register(kind: 'module' | 'parameter', name: unknown, value: unknown): void {
        if (kind === 'module') this.registerModule(name as string, value as Module);
        else this.registerParameter(name as string, value as Tensor);
      }
    }
    const m = new Bad();
    const t = Tensor.zeros([2]).requiresGrad_();
    expect(() => m.register('module', 'a.b', new Bad())).toThrow(/registerModule: name must be a non-empty string without '\.', got "a\.b"/);
    expect(() => m.register('module', '', new Bad())).toThrow(ArgumentError);
    expect(() => m.register('module', 'x', 3)).toThrow(/registerModule\("x"\): module must be a Module, got 3/);
    expect(() => m.register('parameter', 'p', [1, 2])).toThrow(/registerParameter\("p"\): tensor must be a leaf Tensor, got an array of length 2/);
    const computed = t.mul(2);
    expect(() => m.register('parameter', 'p', computed)).toThrow(/got a tensor computed by a recorded op/);
    m.register('parameter', 'p', t);
    expect(() => m.register('module', 'p', new Bad())).toThrow(/name "p" is already taken by a parameter/);
    computed.dispose();
    m.dispose();
  });
});

describe('Sequential and ModuleList', () => {
  const cell = (i: number, h: number, seed: number) => new GRUCell({ inputSize: i, hiddenSize: h, dtype: 'float64', generator: new Generator(seed) });

  it('Sequential chains forward() and names children by index', () => {
    const seq = new Sequential(cell(3, 4, 1), cell(4, 5, 2));
    expect(seq.namedParameters().map(([n]) => n)).toEqual([...CELL_NAMES.map((n) => `0.${n}`), ...CELL_NAMES.map((n) => `1.${n}`)]);
    expect(seq.length).toBe(2);
    expect([...seq]).toEqual([seq.at(0), seq.at(1)]);
    expect(seq.at(-1)).toBe(seq.at(1));
    const x = Tensor.randn([2, 3], { dtype: 'float64', generator: new Generator(3) });
    const chained = scope(() => (seq.at(1) as GRUCell).forward((seq.at(0) as GRUCell).forward(x)).dataSync());
    expect(run(seq, x)).toEqual(chained);
    expect(seq.append(cell(5, 2, 4))).toBe(seq);
    expect(run(seq, x).length).toBe(4);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    expect(new Sequential().forward(x)).toBe(x);
    x.dispose();
    seq.dispose();
  });

  it('ModuleList holds modules in order, with push, append and extend, and no forward', () => {
    const list = new ModuleList([cell(2, 2, 1)]);
    expect(list.push(cell(2, 3, 2), cell(2, 4, 3))).toBe(3);
    expect(list.append(cell(2, 5, 4)).extend([cell(2, 6, 5)])).toBe(list);
    expect(list.length).toBe(5);
    expect([...list].map((m) => (m as GRUCell).hiddenSize)).toEqual([2, 3, 4, 5, 6]);
    expect((list.at(-2) as GRUCell).hiddenSize).toBe(5);
    expect('forward' in list).toBe(false);
    class Stack extends Module {
      layers = new ModuleList([new GRU({ inputSize: 2, hiddenSize: 2 })]);
    }
    const stack = new Stack();
    expect(stack.namedParameters()[0][0]).toBe('layers.0.weight_ih_l0');
    expect(new ModuleList().length).toBe(0);
    list.dispose();
    stack.dispose();
  });

  it('refuse what is not a Module, naming the argument and the value', () => {
    const c = cell(2, 2, 1);
    expect(() => new Sequential(c, 3 as never)).toThrow(/Sequential\(\.\.\.modules\): modules\[1\] must be a Module, got 3/);
    expect(() => new Sequential([c] as never)).toThrow(/Sequential takes its modules as separate arguments .*got an array of length 1/);
    expect(() => new Sequential(new ModuleList())).toThrow(/Sequential: child 0 must have a forward\(\) method to chain, got an object \(ModuleList\)/);
    expect(() => new ModuleList([c, 'x' as never])).toThrow(/ModuleList\(modules\): modules\[1\] must be a Module, got "x"/);
    expect(() => new ModuleList(c as never)).toThrow(/ModuleList\(modules\): modules must be an iterable of Modules \(an array, say\), got an object \(GRUCell\)/);
    const list = new ModuleList([c]);
    expect(() => list.push(null as never)).toThrow(/ModuleList.push\(\): modules\[0\] must be a Module, got null/);
    expect(() => list.append({} as never)).toThrow(/ModuleList.append\(\): module must be a Module, got an object \(Object\)/);
    expect(() => list.extend(5 as never)).toThrow(/ModuleList.extend\(\): modules must be an iterable/);
    expect(() => list.at(1)).toThrow(/ModuleList.at\(\): index must be an integer in \[-1, 0\], got 1/);
    expect(() => list.at(0.5)).toThrow(ArgumentError);
    expect(() => new Sequential().at(0)).toThrow(/Sequential.at\(\): index 0 is out of range: the Sequential is empty/);
    expect(list.length).toBe(1);
    list.dispose();
    expect(() => list.at(0)).toThrow(DisposedError);
  });
});

describe('Module.to()', () => {
  it("to('cpu') on the CPU is a no-op: same tensors, still usable", () => {
    const model = new Model();
    const before = model.parameters();
    expect(model.to('cpu')).toBe(model);
    expect(model.parameters()).toEqual(before);
    expect(model.parameters().every((p, i) => p === before[i] && !p.disposed)).toBe(true);
    const x = Tensor.randn([3, 2, 2], { generator: new Generator(8) });
    expect(run(model, x).length).toBe(4);
    x.dispose();
    model.dispose();
  });

  it('refuses an unknown device with a DeviceError', () => {
    const model = new Model();
    expect(() => model.to('gpu' as never)).toThrow(DeviceError);
    expect(() => model.to('gpu' as never)).toThrow(/Model.to\(\) device must be 'cpu' or 'cuda', got "gpu"/);
    model.dispose();
  });

  it.skipIf(cudaAvailable)("to('cuda') without CUDA throws BackendUnavailableError and leaves the module as it was", () => {
    expect(() => Tensor.zeros([1], { device: 'cuda' })).toThrow(BackendUnavailableError);
    const model = new Model();
    const x = Tensor.randn([3, 2, 2], { generator: new Generator(9) });
    const expected = run(model, x);
    const before = model.parameters();
    expect(() => model.to('cuda')).toThrow(BackendUnavailableError);
    expect(model.parameters()).toEqual(before);
    expect(model.parameters().every((p) => p.device === 'cpu' && !p.disposed)).toBe(true);
    expect(model.gru.device).toBe('cpu');
    expect(run(model, x)).toEqual(expected);
    x.dispose();
    model.dispose();
  });

  it("refuses to move a resetAfter: false GRU to cuda (CPU only), leaving it as it was", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, resetAfter: false });
    expect(() => gru.to('cuda')).toThrow(BackendUnavailableError);
    expect(gru.device).toBe('cpu');
    expect(gru.flatWeights.disposed).toBe(false);
    gru.dispose();
  });

  it('copies parameters, gradients and requiresGrad flags, re-points fields, and frees the old tensors', () => {
    const start = settledMemory();
    const model = new Model();
    scope(() => model.forward(Tensor.randn([3, 2, 2], { generator: new Generator(10) })).sum().backward());
    model.gru.parameters()[1].requiresGrad = false;
    const values = model.namedParameters().map(([n, p]) => [n, p.dataSync(), p.grad!.dataSync(), p.requiresGrad] as const);
    const oldHead = model.head;
    const oldCell = model.encoder.cell.parameters();
    const oldFlat = model.gru.flatWeights;
    for (const t of [model.head, model.head.grad!, oldFlat, oldFlat.grad!]) claimCuda(t);

    expect(model.to('cpu')).toBe(model);
    expect(model.head).not.toBe(oldHead);
    expect(oldHead.disposed && oldHead.grad!.disposed && oldFlat.disposed).toBe(true);
    // What is already on the device stays: the cell keeps its views, encoder.scale its tensor.
    expect(model.encoder.cell.parameters().every((p, i) => p === oldCell[i])).toBe(true);
    expect(model.gru.flatWeights).not.toBe(oldFlat);
    const after = model.namedParameters();
    expect(after.map(([n, p]) => [n, p.dataSync(), p.grad!.dataSync(), p.requiresGrad])).toEqual(values);
    expect(after.every(([, p]) => p.device === 'cpu' && !p.disposed)).toBe(true);
    // The GRU's views are over its new buffer.
    noGrad(() => model.gru.flatWeights.fill_(0.5));
    expect(model.gru.parameters()[0].dataSync().every((v) => v === 0.5)).toBe(true);
    expect(scope(() => model.forward(Tensor.randn([3, 2, 2], { generator: new Generator(11) })).shape)).toEqual([2, 2]);
    model.dispose();
    expect(settledMemory()).toEqual(start);
  });

  it('a failed move changes nothing and leaks nothing', () => {
    class Pair extends Module {
      a = Tensor.zeros([3]).requiresGrad_();
      b = Tensor.zeros([3]).requiresGrad_();
      gru = new GRU({ inputSize: 2, hiddenSize: 2 });
    }
    const m = new Pair();
    const names = m.namedParameters().map(([n]) => n);
    for (const t of [m.a, m.b, m.gru.flatWeights]) claimCuda(t);
    const [a, b] = [m.a, m.b];
    b.dispose(); // copying b fails after the GRU's buffer and a were copied
    const before = settledMemory();
    expect(() => m.to('cpu')).toThrow(DisposedError);
    expect(settledMemory()).toEqual(before);
    expect(m.a).toBe(a);
    expect(m.a.disposed).toBe(false);
    expect(m.gru.flatWeights.disposed).toBe(false);
    expect(m.namedParameters().map(([n]) => n)).toEqual(names);
    m.dispose();
  });

  it.runIf(cudaAvailable)("to('cuda') and back keeps the values", () => {
    const model = new Model();
    const x = Tensor.randn([3, 2, 2], { generator: new Generator(12) });
    const expected = run(model, x);
    model.to('cuda');
    expect(model.parameters().every((p) => p.device === 'cuda')).toBe(true);
    model.to('cpu');
    expect(Array.from(run(model, x))).toEqual(Array.from(expected).map((v) => expect.closeTo(v, 5)));
    x.dispose();
    model.dispose();
  });
});
