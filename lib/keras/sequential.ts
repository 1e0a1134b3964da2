/**
 * keras.sequential: layers in order, built from the first layer's inputShape (or a keras.input,
 * or at the first call, from the input), with Keras's compile, fit, evaluate, predict, summary,
 * countParams and getWeights/setWeights (Keras layouts, model order). Step masks made by an
 * embedding or masking layer pass along the layers to the GRU and to the loss and metrics.
 */
import { noGrad } from '../autograd/grad-mode';
import { checkTensor } from '../checks';
import type { Device, FloatDType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { describe, formatShape } from '../format';
import { defaultGenerator, type Generator } from '../random';
import { Tensor } from '../tensor';
import { checkOptions } from '../arguments';
import { Optimizer } from '../optim/optimizer';
import { asTensor } from '../train/batches';
import { dataSource } from '../train/data';
import { evaluateSource, fitLoop, type FitOptions, type History, type Logs, type Prediction, type Trainee } from '../train/fit-loop';
import { GRU } from './layers/gru';
import { InputLayer } from './layers/input';
import { Layer, formatDims, uniqueName, type Placement, type Shape } from './layers/layer';
import { checkLoss, type LossFunction } from './losses';
import type { Mask } from './mask';
import { SymbolicTensor } from './symbolic';
import { checkMetric, compileMetric, type Metric } from './metrics';
import { add } from '../ops/arithmetic';
import { reduceLoss } from './reduction';
import { buildOptimizer, checkOptimizer, type KerasOptimizerSpec, type OptimizerInput } from './optimizers';
import { saveModelCheckpoint } from './io/checkpoint-model';
import { loadKerasWeights, saveKerasFile, saveKerasWeights } from './io/keras-file';
import { saveTfjsModel } from './io/tfjs-model';
import { summaryLines } from './summary';
import { loadModelWeights, saveModelWeights } from './weights-file';

export interface CompileOptions {
  optimizer: OptimizerInput;
  /** A Keras loss name (either spelling) or a function (yTrue, yPred) => per-sample losses (or a scalar). */
  loss: string | LossFunction;
  metrics?: string[];
}

interface Compiled {
  optimizer: ReturnType<typeof checkOptimizer>;
  built: Optimizer | null;
  loss: LossFunction;
  /** The loss's Keras name (null for a function). */
  lossName: string | null;
  metrics: Metric[];
}

/** @internal What a checkpoint records of a model besides its tensors. */
export interface ModelRecord {
  generator: Generator;
  dtype: FloatDType;
  /** compile()'s arguments where they can be written down (null for an optim.* instance or a loss function). */
  compile: { optimizer: KerasOptimizerSpec | null; loss: string | null; metrics: string[] } | null;
}

/** The options evaluate() takes. */
export interface EvaluateOptions {
  batchSize?: number;
  sampleWeight?: unknown;
}

export interface SequentialOptions {
  /** The layers in order; the first may be a keras.input() or keras.layers.inputLayer() giving the input shape. */
  layers?: (Layer | SymbolicTensor)[];
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
  /** The input shape a keras.input entry gave (without batch). */
  private declaredInput: Shape | null = null;

  constructor(options: SequentialOptions | (Layer | SymbolicTensor)[] = {}) {
    const o = Array.isArray(options) ? { layers: options } : options;
    this.name = o.name ?? uniqueName('sequential');
    this.placement = { dtype: o.dtype ?? 'float32', device: o.device ?? 'cpu', generator: o.generator ?? defaultGenerator };
    for (const layer of o.layers ?? []) this.add(layer);
  }

  /** Appends a layer; builds it at once when the input shape is known. */
  add(layer: Layer | SymbolicTensor): this {
    if (layer instanceof InputLayer || (layer instanceof SymbolicTensor && layer.parent === null)) {
      if (this.layers.length > 0 || this.declaredInput) throw new ArgumentError(`Sequential.add: a keras.input must come first, before any layer`);
      this.declaredInput = layer instanceof SymbolicTensor ? layer.shape : layer.declaredInputShape;
      return this;
    }
    if (!(layer instanceof Layer)) throw new ArgumentError(`Sequential.add: expected a layer from keras.layers (or a keras.input first), got ${describe(layer)}`);
    if (this.layers.includes(layer)) throw new ArgumentError(`Sequential.add: layer ${layer.name} is already in this model`);
    if ((this.layers.length > 0 || this.declaredInput) && layer.declaredInputShape) {
      throw new ArgumentError(`Sequential.add: only the first layer takes an inputShape; ${layer.name} has one`);
    }
    if (layer instanceof GRU && layer.returnState) {
      throw new ArgumentError(`Sequential.add: ${layer.name} has returnState, so it gives [output, state]; a Sequential layer gives one output (call gru.apply() directly)`);
    }
    this.layers.push(layer);
    const shape = this.inputShapeOf(this.layers.length - 1);
    if (shape) layer.build(shape, this.placement);
    return this;
  }

  /** The input shape (without batch) layer i receives, when known. */
  private inputShapeOf(index: number): Shape | null {
    let shape = this.declaredInput ?? this.layers[0].declaredInputShape ?? this.layers[0].inputShape;
    for (let i = 0; i < index; i++) {
      if (!shape) return null;
      shape = this.layers[i].outputShape(shape);
    }
    return shape;
  }

  get built(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.built);
  }

  /** Builds every layer for inputs of `inputShape` (without batch; null for any size). */
  build(inputShape: Shape): void {
    let shape = inputShape;
    for (const layer of this.layers) {
      layer.build(shape, this.placement);
      shape = layer.outputShape(shape);
    }
  }

  /** The layers on a batch (recorded for gradients; training turns dropout on). */
  call(x: Tensor, training = false): Tensor {
    return this.forward(x, training).output;
  }

  /** The layers on a batch, with the output's step mask (a masked sequence output's). */
  private forward(x: Tensor, training: boolean): { output: Tensor; mask: Mask | null } {
    checkTensor(x, `${this.name}: input`);
    if (this.layers.length === 0) throw new ArgumentError(`${this.name} has no layers`);
    if (!this.built) this.build(x.shape.slice(1));
    const expected = this.layers[0].inputShape!;
    if (x.ndim !== expected.length + 1 || x.shape.slice(1).some((s, i) => expected[i] !== null && s !== expected[i])) {
      throw new ShapeError(`${this.name}: expected input [batch, ${formatDims(expected)}], got ${formatShape(x.shape)}`);
    }
    let h = x;
    let mask: Mask | null = null;
    for (const layer of this.layers) {
      const next = layer.call(h, training, mask);
      mask = layer.computeMask(h, mask);
      if (h !== x) h.dispose();
      h = next;
    }
    return { output: h, mask };
  }

  /** The layers' regularizer penalties summed (Keras's sum of model.losses), or null without any. */
  regularizationLoss(): Tensor | null {
    let total: Tensor | null = null;
    for (const layer of this.layers) {
      const penalty = layer.regularizationLoss();
      if (penalty) total = total ? add(total, penalty) : penalty;
    }
    return total;
  }

  /** Zeroes the state of every stateful GRU (Keras's reset_states). */
  resetStates(): void {
    for (const layer of this.layers) {
      const gru = layer instanceof GRU ? layer : (layer as { layer?: unknown }).layer instanceof GRU ? (layer as unknown as { layer: GRU }).layer : null;
      if (gru?.stateful) gru.resetStates();
    }
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
    if (o.metrics !== undefined && !Array.isArray(o.metrics)) throw new ArgumentError(`${this.name}.compile options.metrics must be an array of names, got ${describe(o.metrics)}`);
    const metrics = (o.metrics ?? []).map((m, i) => compileMetric(checkMetric(m, `${this.name}.compile options.metrics[${i}]`)));
    this.compiled?.built?.dispose();
    const loss = checkLoss(o.loss, `${this.name}.compile options.loss`);
    this.compiled = { optimizer: checkOptimizer(o.optimizer, `${this.name}.compile options.optimizer`), built: null,
      loss: loss.fn, lossName: typeof o.loss === 'string' ? loss.name : null, metrics };
  }

  /** @internal The optimizer fit() trains with, built now if it is not yet (a checkpoint restores its state into it). */
  buildOptimizer(): Optimizer | null {
    return this.compiled ? this.trainee('buildOptimizer').optimizer() : null;
  }

  /** @internal */
  record(): ModelRecord {
    const c = this.compiled;
    const spec = c && !(c.optimizer instanceof Optimizer) ? c.optimizer : null;
    return { generator: this.placement.generator, dtype: this.placement.dtype,
      compile: c ? { optimizer: spec, loss: c.lossName, metrics: c.metrics.map((m) => m.name) } : null };
  }

  private trainee(where: string): Trainee {
    const c = this.compiled;
    if (!c) throw new ArgumentError(`${this.name}.${where}: compile() the model first`);
    const model = this;
    const lossWhere = `${this.name} loss`;
    const weightsOf = (p: Prediction, sampleWeight: Tensor | null) => ({ sampleWeight, mask: p.mask });
    return {
      name: this.name,
      forward: (x, training): Prediction => {
        const { output, mask } = this.forward(x, training);
        return { output, mask: mask && !mask.full ? mask.toTensor(this.placement.dtype, output.device) : null };
      },
      loss: (yTrue, p, sampleWeight) => {
        const loss = reduceLoss(c.loss(yTrue, p.output), weightsOf(p, sampleWeight), lossWhere);
        const penalty = this.regularizationLoss();
        return penalty ? add(loss, penalty) : loss;
      },
      metrics: c.metrics.map((m) => ({ name: m.name, finish: m.finish, sums: (yTrue: Tensor, p: Prediction, sw: Tensor | null) => m.sums(yTrue, p.output, weightsOf(p, sw)) })),
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
  async fit(x: unknown, y?: unknown, options?: FitOptions): Promise<History> {
    const trainee = this.trainee('fit');
    // Callbacks that act on the model (earlyStopping) get it first, as in TF.js.
    const list = options?.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
    for (const cb of list) (cb as { setModel?: (m: Sequential) => void }).setModel?.(this);
    this.buildFor(x, 'fit');
    trainee.optimizer();  // built now, so callbacks can reach it from onTrainBegin
    return fitLoop(trainee, x, y, options);
  }

  /** TF.js's fitDataset: fit() over an iterable of batches ([x, y], [x, y, sampleWeight] or { xs, ys }). */
  fitDataset(dataset: unknown, options?: FitOptions): Promise<History> {
    return this.fit(dataset, undefined, options);
  }

  /** Builds the layers from x's shape when they are not built yet. */
  private buildFor(x: unknown, where: string): void {
    if (this.built) return;
    if (x instanceof Tensor) return this.build(x.shape.slice(1));
    if (Array.isArray(x) || ArrayBuffer.isView(x)) {
      const t = asTensor(x, `${this.name}.${where}: x`).tensor;
      this.build(t.shape.slice(1));
      t.dispose();
      return;
    }
    throw new ArgumentError(`${this.name}.${where}: the model is not built; with an iterable of batches, give the first layer an inputShape (or start with a keras.input)`);
  }

  /** The loss (and metrics, as [loss, ...metrics]) over (x, y), batched, without gradients. */
  async evaluate(x: unknown, y?: unknown, options: EvaluateOptions = {}): Promise<number | number[]> {
    const trainee = this.trainee('evaluate');
    const o = checkOptions(options, ['batchSize', 'sampleWeight'], `${this.name}.evaluate options`);
    const batchSize = o.batchSize ?? 32;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new ArgumentError(`${this.name}.evaluate options.batchSize must be an integer >= 1, got ${describe(batchSize)}`);
    this.buildFor(x, 'evaluate');
    const data = dataSource(x, y, o.sampleWeight, batchSize, `${this.name}.evaluate`);
    try {
      const logs: Logs = await evaluateSource(trainee, data.source);
      const values = [logs.loss, ...trainee.metrics.map((m) => logs[m.name])];
      return values.length === 1 ? values[0] : values;
    } finally {
      data.release();
    }
  }

  /** One training step on (x, y) as one batch; resolves with the loss (Keras's train_on_batch). */
  async trainOnBatch(x: unknown, y: unknown, sampleWeight?: unknown): Promise<number> {
    const trainee = this.trainee('trainOnBatch');
    const xs = asTensor(x, `${this.name}.trainOnBatch: x`);
    try {
      this.buildFor(xs.tensor, 'trainOnBatch');
      const history = await fitLoop(trainee, xs.tensor, y, { batchSize: xs.tensor.shape[0], epochs: 1, shuffle: false, verbose: 0, sampleWeight });
      return history.history.loss[0];
    } finally {
      if (xs.made) xs.tensor.dispose();
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

  /**
   * Writes the weights: to a safetensors file, each under `<layer>/<weight>` in Keras's layout
   * (lib/keras/weights-file.ts), at once; or, for a path ending in `.weights.h5`, to Keras 3's
   * weights-only HDF5 file, when the returned promise resolves.
   */
  saveWeights(path: string): Promise<void> {
    if (typeof path === 'string' && path.endsWith('.h5')) return saveKerasWeights(this, path);
    saveModelWeights(this, path);
    return Promise.resolve();
  }

  /** Reads weights written by saveWeights() (or Keras 3's `.weights.h5`) into the layers, after checking every name and shape. */
  loadWeights(path: string): Promise<void> {
    if (typeof path === 'string' && path.endsWith('.h5')) return loadKerasWeights(this, path);
    loadModelWeights(this, path);
    return Promise.resolve();
  }

  /**
   * Saves the model. A path ending in `.keras` (or `{ format: 'keras' }`) writes Keras 3's archive;
   * a path ending in `.safetensors` (or `{ format: 'checkpoint' }`) writes a
   * training checkpoint: the weights, the optimizer's state, the generator's position, the
   * topology and compile()'s arguments, which keras.loadModel(path) restores from the file alone.
   * `{ format: 'tfjs' }` writes `path/model.json` and `path/weights.bin`, the TF.js layers format
   * (`tf.loadLayersModel` reads it; a reset-after GRU, Keras 3's default, cannot be expressed
   * there and is an error). Async, as TF.js's save is.
   */
  async save(path: string, options: { format?: 'tfjs' | 'checkpoint' | 'keras' } = {}): Promise<void> {
    const o = checkOptions(options, ['format'], `${this.name}.save options`);
    if (typeof path !== 'string') throw new ArgumentError(`${this.name}.save: path must be a string, got ${describe(path)}`);
    const format = o.format ?? (path.endsWith('.safetensors') ? 'checkpoint' : path.endsWith('.keras') ? 'keras' : undefined);
    if (format === 'tfjs') saveTfjsModel(this, path);
    else if (format === 'checkpoint') saveModelCheckpoint(this, path);
    else if (format === 'keras') await saveKerasFile(this, path);
    else throw new ArgumentError(`${this.name}.save options.format must be 'checkpoint', 'keras' or 'tfjs' (or the path end in .safetensors or .keras), got ${describe(o.format)}`);
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
