/**
 * keras.sequential: layers in order, built from the first layer's inputShape (or at the first
 * call, from the input), with Keras's predict, summary, countParams and getWeights/setWeights
 * (Keras layouts, model order). Training (compile/fit) lands with the fit loop.
 */
import { noGrad } from '../autograd/grad-mode';
import { checkTensor } from '../checks';
import type { Device, FloatDType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { defaultGenerator, type Generator } from '../random';
import { Tensor } from '../tensor';
import { checkOptions } from '../arguments';
import type { Optimizer } from '../optim/optimizer';
import { evaluateRows, fitLoop, type FitOptions, type History, type Logs, type Trainee } from '../train/fit-loop';
import { Layer, uniqueName, type Placement } from './layers/layer';
import { checkLoss, checkMetric, metricValue, type LossFunction } from './losses';
import { buildOptimizer, checkOptimizer, type OptimizerInput } from './optimizers';
import { summaryLines } from './summary';

export interface CompileOptions {
  optimizer: OptimizerInput;
  /** A Keras loss name (either spelling) or a function (yTrue, yPred) => scalar tensor. */
  loss: string | LossFunction;
  metrics?: string[];
}

interface Compiled {
  optimizer: ReturnType<typeof checkOptimizer>;
  built: Optimizer | null;
  loss: LossFunction;
  metrics: { name: string; value: (yTrue: Tensor, yPred: Tensor) => Tensor }[];
}

/** A tensor, or nested arrays / a typed array of values (float32). */
function asTensor(value: unknown): { tensor: Tensor; made: boolean } {
  if (value instanceof Tensor) return { tensor: value, made: false };
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return { tensor: Tensor.from(value as number[]), made: true };
  throw new ArgumentError(`expected a Tensor or nested arrays of numbers, got ${describe(value)}`);
}

export interface SequentialOptions {
  layers?: Layer[];
  name?: string;
  /** Where the weights live (default float32 on the CPU). */
  dtype?: FloatDType;
  device?: Device;
  /** Draws the initial weights (default: the global generator). */
  generator?: Generator;
}

export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set from a callback to stop fit() after the current epoch (TF.js's and Keras's flag). */
  stopTraining = false;
  private readonly placement: Placement;
  private compiled: Compiled | null = null;

  constructor(options: SequentialOptions | Layer[] = {}) {
    const o = Array.isArray(options) ? { layers: options } : options;
    this.name = o.name ?? uniqueName('sequential');
    this.placement = { dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu', generator: o.generator ?? defaultGenerator };
    for (const layer of o.layers ?? []) this.add(layer);
  }

  /** Appends a layer; builds it at once when the input shape is known. */
  add(layer: Layer): this {
    if (!(layer instanceof Layer)) throw new ArgumentError(`Sequential.add: expected a layer from keras.layers, got ${describe(layer)}`);
    if (this.layers.includes(layer)) throw new ArgumentError(`Sequential.add: layer ${layer.name} is already in this model`);
    if (this.layers.length > 0 && layer.declaredInputShape) {
      throw new ArgumentError(`Sequential.add: only the first layer takes an inputShape; ${layer.name} has one`);
    }
    this.layers.push(layer);
    const shape = this.inputShapeOf(this.layers.length - 1);
    if (shape) layer.build(shape, this.placement);
    return this;
  }

  /** The input shape (without batch) layer i receives, when known. */
  private inputShapeOf(index: number): number[] | null {
    let shape = this.layers[0].declaredInputShape ?? this.layers[0].inputShape;
    for (let i = 0; i < index; i++) {
      if (!shape) return null;
      shape = this.layers[i].outputShape(shape);
    }
    return shape;
  }

  get built(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.built);
  }

  /** Builds every layer for inputs of `inputShape` (without batch). */
  build(inputShape: number[]): void {
    let shape = inputShape;
    for (const layer of this.layers) {
      layer.build(shape, this.placement);
      shape = layer.outputShape(shape);
    }
  }

  /** The layers on a batch (recorded for gradients; training turns dropout on). */
  call(x: Tensor, training = false): Tensor {
    checkTensor(x, `${this.name}: input`);
    if (this.layers.length === 0) throw new ArgumentError(`${this.name} has no layers`);
    if (!this.built) this.build(x.shape.slice(1));
    const expected = this.layers[0].inputShape!;
    if (x.ndim !== expected.length + 1 || x.shape.slice(1).some((s, i) => s !== expected[i])) {
      throw new ShapeError(`${this.name}: expected input [batch, ${expected.join(', ')}], got ${formatShape(x.shape)}`);
    }
    let h = x;
    for (const layer of this.layers) {
      const next = layer.call(h, training);
      if (h !== x) h.dispose();
      h = next;
    }
    return h;
  }

  /** Outputs for `x` without gradients and without dropout, `batchSize` rows at a time (default 32). */
  predict(x: Tensor, options: { batchSize?: number } = {}): Tensor {
    checkTensor(x, `${this.name}.predict: x`);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ArgumentError(`${this.name}.predict: batchSize must be an integer >= 1, got ${describe(batchSize)}`);
    return noGrad(() => {
      const parts: Tensor[] = [];
      for (let start = 0; start < x.shape[0]; start += batchSize) {
        const rows = x.narrow(0, start, Math.min(batchSize, x.shape[0] - start));
        parts.push(this.call(rows, false));
        rows.dispose();
      }
      if (parts.length === 1) return parts[0];
      const out = parts[0].cat(parts.slice(1), 0);
      for (const p of parts) p.dispose();
      return out;
    });
  }

  /** Chooses the optimizer, loss and metrics for fit() and evaluate(). */
  compile(options: CompileOptions): void {
    const o = checkOptions(options, ['optimizer', 'loss', 'metrics'], `${this.name}.compile options`);
    const metrics = (o.metrics ?? []).map((m, i) => {
      const name = checkMetric(m, `${this.name}.compile options.metrics[${i}]`);
      return { name, value: (yTrue: Tensor, yPred: Tensor) => metricValue(name, yTrue, yPred) };
    });
    this.compiled?.built?.dispose();
    this.compiled = { optimizer: checkOptimizer(o.optimizer, `${this.name}.compile options.optimizer`), built: null,
      loss: checkLoss(o.loss, `${this.name}.compile options.loss`).fn, metrics };
  }

  private trainee(where: string): Trainee {
    const c = this.compiled;
    if (!c) throw new ArgumentError(`${this.name}.${where}: compile() the model first`);
    const model = this;
    return {
      name: this.name,
      forward: (x, training) => this.call(x, training),
      loss: c.loss,
      metrics: c.metrics,
      optimizer: () => (c.built ??= buildOptimizer(c.optimizer, model.trainableWeights())),
      get stopTraining() { return model.stopTraining; },
      set stopTraining(v: boolean) { model.stopTraining = v; },
    };
  }

  /** The optimizer fit() trains with, once built (at the first fit). */
  get optimizer(): Optimizer | null {
    return this.compiled?.built ?? null;
  }

  /** The tensors the optimizer updates. */
  trainableWeights(): Tensor[] {
    this.requireBuilt('trainableWeights');
    return this.layers.flatMap((l) => l.module?.parameters().filter((p) => p.requiresGrad) ?? []);
  }

  /**
   * Trains (Keras's fit): async, yielding to the event loop after every batch; resolves with the
   * History, or rejects with the signal's reason (the history so far on error.history) when
   * options.signal aborts, after the current batch.
   */
  async fit(x: unknown, y: unknown, options?: FitOptions): Promise<History> {
    const trainee = this.trainee('fit');
    const xs = asTensor(x), ys = asTensor(y);
    // Callbacks that act on the model (earlyStopping) get it first, as in TF.js.
    const list = options?.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
    for (const cb of list) (cb as { setModel?: (m: Sequential) => void }).setModel?.(this);
    try {
      if (!this.built) this.build(xs.tensor.shape.slice(1));
      trainee.optimizer();  // built now, so callbacks can reach it from onTrainBegin
      return await fitLoop(trainee, xs.tensor, ys.tensor, options);
    } finally {
      if (xs.made) xs.tensor.dispose();
      if (ys.made) ys.tensor.dispose();
    }
  }

  /** The loss (and metrics, as [loss, ...metrics]) over (x, y), batched, without gradients. */
  async evaluate(x: unknown, y: unknown, options: { batchSize?: number } = {}): Promise<number | number[]> {
    const trainee = this.trainee('evaluate');
    const xs = asTensor(x), ys = asTensor(y);
    try {
      const logs: Logs = await evaluateRows(trainee, xs.tensor, ys.tensor, options.batchSize ?? 32);
      const values = [logs.loss, ...trainee.metrics.map((m) => logs[m.name])];
      return values.length === 1 ? values[0] : values;
    } finally {
      if (xs.made) xs.tensor.dispose();
      if (ys.made) ys.tensor.dispose();
    }
  }

  /** One training step on (x, y) as one batch; resolves with the loss (Keras's train_on_batch). */
  async trainOnBatch(x: unknown, y: unknown): Promise<number> {
    const trainee = this.trainee('trainOnBatch');
    const xs = asTensor(x), ys = asTensor(y);
    try {
      if (!this.built) this.build(xs.tensor.shape.slice(1));
      const history = await fitLoop(trainee, xs.tensor, ys.tensor, { batchSize: xs.tensor.shape[0], epochs: 1, shuffle: false, verbose: 0 });
      return history.history.loss[0];
    } finally {
      if (xs.made) xs.tensor.dispose();
      if (ys.made) ys.tensor.dispose();
    }
  }

  /** Outputs for `x` as one batch, without gradients or dropout. */
  predictOnBatch(x: Tensor): Tensor {
    checkTensor(x, `${this.name}.predictOnBatch: x`);
    return this.predict(x, { batchSize: Math.max(1, x.shape[0]) });
  }

  /** Keras's parameter count. */
  countParams(): number {
    this.requireBuilt('countParams');
    return this.layers.reduce((n, l) => n + l.countParams(), 0);
  }

  /** Keras 3's summary table; printed with `printFn` (default console.log), also returned. */
  summary(printFn: (line: string) => void = console.log): string {
    this.requireBuilt('summary');
    let shape = this.layers[0].inputShape!;
    const rows = this.layers.map((layer) => {
      shape = layer.outputShape(shape);
      // Every Keras weight trains (a reset-before GRU's frozen bias_hh is engine padding Keras does not count).
      const params = layer.countParams();
      return { layer, outputShape: shape, params, trainable: params };
    });
    const lines = summaryLines(this.name, rows, this.placement.dtype === 'float64' ? 8 : 4);
    for (const line of lines) printFn(line);
    return lines.join('\n');
  }

  /** Every layer's weights in Keras's layout and order (fresh tensors; dispose them). */
  getWeights(): Tensor[] {
    this.requireBuilt('getWeights');
    return this.layers.flatMap((l) => l.getWeights().map((w) => w.tensor));
  }

  /** Copies weights in getWeights() order and layout into the layers. */
  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt('setWeights');
    const counts = this.layers.map((l) => {
      const own = l.getWeights();
      for (const w of own) w.tensor.dispose();
      return own.length;
    });
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      throw new ArgumentError(`${this.name}.setWeights: expected ${total} weights (getWeights() order), got ${Array.isArray(weights) ? weights.length : describe(weights)}`);
    }
    let at = 0;
    this.layers.forEach((l, i) => {
      l.setWeights(weights.slice(at, at + counts[i]));
      at += counts[i];
    });
  }

  /** Frees every layer's weights and the optimizer's state. */
  dispose(): void {
    for (const l of this.layers) l.module?.dispose();
    this.compiled?.built?.dispose();
  }

  private requireBuilt(what: string): void {
    if (!this.built) throw new ArgumentError(`${this.name}.${what}: the model is not built yet: give the first layer an inputShape, or call the model once`);
  }
}
