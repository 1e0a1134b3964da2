/**
 * fit()'s Keras experience: the progress display (a bar on a terminal, lines elsewhere, silence at
 * verbose 0, no device reads of its own), keras.callbacks.jsonLinesLogger, modelCheckpoint
 * (placeholders, saveBestOnly, batch saveFreq) and Sequential.saveWeights/loadWeights.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { ArgumentError, FileError, ShapeError, Tensor, keras, manualSeed, memory, readSafetensors } from '../lib/index';
import { PathTemplate } from '../lib/keras/path-template';
import { formatLogValue, progressDisplay, setProgressStream } from '../lib/train/progress';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-keras-callbacks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stream that keeps what is written; a terminal when `isTTY`. */
class FakeStream extends Writable {
  text = '';
  readonly columns = 200;
  constructor(readonly isTTY: boolean) {
    super({ decodeStrings: false, write: (chunk, _encoding, done) => { this.text += String(chunk); done(); } });
  }
}

/** 20 rows of a length-2 sequence of one feature; y the sum of the steps. */
function data(rows = 20): { x: Tensor; y: Tensor } {
  const xs = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i * 0.7));
  return { x: Tensor.from(xs, [rows, 2, 1]), y: Tensor.from(Float32Array.from({ length: rows }, (_, r) => xs[2 * r] + xs[2 * r + 1]), [rows, 1]) };
}

function tiny(seed = 1): keras.Sequential {
  manualSeed(seed);
  const model = keras.sequential([keras.layers.gru({ units: 3, inputShape: [2, 1] }), keras.layers.dense({ units: 1 })]);
  model.compile({ optimizer: keras.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
  return model;
}

/** fit() with its progress on `stream`. */
async function fitOn(stream: FakeStream, model: keras.Sequential, x: Tensor, y: Tensor, options: keras.FitOptions) {
  setProgressStream(stream);
  try {
    return await model.fit(x, y, options);
  } finally {
    setProgressStream(null);
  }
}

const STEP = String.raw`\d+(?:s|ms|us)/step`;
const VALUE = String.raw`(?:\d+\.\d{4}|\d\.\d{4}e-\d\d)`;

describe('fit progress', () => {
  it('verbose 1 on a terminal: a bar per epoch under "Epoch n/N", its final line with the time, ms/step and the logs', async () => {
    const { x, y } = data();
    const model = tiny();
    const out = new FakeStream(true);
    const h = await fitOn(out, model, x, y, { epochs: 2, batchSize: 4, validationSplit: 0.2, shuffle: false });
    expect(out.text.startsWith('Epoch 1/2\n')).toBe(true);
    expect(out.text).toContain('\nEpoch 2/2\n');
    // Drawn in place: cursor to column 1, the line, clear to its right.
    expect(out.text).toMatch(/\x1b\[1G0\/4 ─{20}\x1b\[0K/);
    // Each final line follows the cleared bar line, in full.
    const finals = [...out.text.matchAll(/\x1b\[2K([^\x1b\n]*)\n/g)].map((m) => m[1]);
    expect(finals).toHaveLength(2);
    finals.forEach((line, e) => {
      expect(line).toMatch(new RegExp(`^4/4 ━{20} \\d+s ${STEP} - loss: ${VALUE} - val_loss: ${VALUE}$`));
      expect(line).toContain(`loss: ${formatLogValue(h.history.loss[e])} - val_loss: ${formatLogValue(h.history.val_loss[e])}`);
    });
    // Without an onBatchEnd the loss is not read per batch, so the bar shows it only at the end.
    expect(out.text.match(/loss: /g)).toHaveLength(2 * 2);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('shows a running loss when a callback already reads each batch; redraws at most about 10 times a second', async () => {
    const { x, y } = data(40);
    const model = tiny();
    const out = new FakeStream(true);
    const started = Date.now();
    await fitOn(out, model, x, y, { epochs: 1, batchSize: 1, verbose: 'auto', callbacks: { onBatchEnd: () => {} } });
    const elapsed = Date.now() - started;
    // The last redraw before the final line holds the running mean.
    expect(out.text).toMatch(new RegExp(`40/40 ━{20} 0s ${STEP} - loss: ${VALUE}\\x1b\\[0K`));
    const redraws = out.text.match(/\d+\/40 [━─]{20}/g)!.length - 1;
    expect(redraws).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('reads nothing from the device that verbose 0 would not', async () => {
    const { x, y } = data();
    const reads = async (verbose: 0 | 1) => {
      const model = tiny();
      const spy = vi.spyOn(Tensor.prototype, 'data');
      const sync = vi.spyOn(Tensor.prototype, 'dataSync');
      await fitOn(new FakeStream(true), model, x, y, { epochs: 2, batchSize: 2, verbose });
      const count = spy.mock.calls.length + sync.mock.calls.length;
      spy.mockRestore();
      sync.mockRestore();
      model.dispose();
      return count;
    };
    expect(await reads(1)).toBe(await reads(0));
    for (const t of [x, y]) t.dispose();
  });

  it('verbose 1 off a terminal and verbose 2 print one line per epoch; verbose 0 prints nothing', async () => {
    const { x, y } = data();
    const line = new RegExp(`^Epoch (\\d)/3 - \\d+s - ${STEP} - loss: ${VALUE} - val_loss: ${VALUE}$`);
    for (const [tty, verbose] of [[false, 1], [true, 2], [false, 2]] as const) {
      const model = tiny();
      const out = new FakeStream(tty);
      await fitOn(out, model, x, y, { epochs: 3, batchSize: 8, verbose, validationData: [x, y] });
      const lines = out.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((l) => line.exec(l)?.[1])).toEqual(['1', '2', '3']);
      expect(out.text).not.toContain('━');
      model.dispose();
    }
    const model = tiny();
    const out = new FakeStream(true);
    await fitOn(out, model, x, y, { epochs: 2, verbose: 0 });
    expect(out.text).toBe('');
    await expect(fitOn(out, model, x, y, { verbose: 3 as never })).rejects.toThrow(/options.verbose must be 0, 1, 2 or 'auto', got 3/);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('an aborted fit ends the bar: its line is kept and nothing redraws afterwards', async () => {
    const { x, y } = data(40);
    const model = tiny();
    const out = new FakeStream(true);
    const controller = new AbortController();
    const fit = fitOn(out, model, x, y, {
      epochs: 3, batchSize: 2, signal: controller.signal, callbacks: { onBatchEnd: (batch: number) => { if (batch === 4) controller.abort(new Error('stop')); } },
    });
    await expect(fit).rejects.toThrow('stop');
    expect(out.text).toMatch(new RegExp(`\x1b\\[2K 5/20 ━{5}─{15} 0s ${STEP} - loss: ${VALUE}\n$`));
    const after = out.text;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(out.text).toBe(after);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('counts the steps of the first epoch when their number is unknown (an iterable), as Keras', () => {
    const out = new FakeStream(true);
    setProgressStream(out);
    const display = progressDisplay(1, 2, null);
    setProgressStream(null);
    for (const epoch of [0, 1]) {
      display.epochBegin(epoch);
      for (let step = 1; step <= 3; step++) display.batchEnd(step, 4, undefined);
      display.epochEnd(epoch, { loss: 0.5 });
    }
    const finals = [...out.text.matchAll(/\x1b\[2K([^\x1b\n]*)\n/g)].map((m) => m[1]);
    expect(finals[0]).toMatch(new RegExp(`^3/Unknown \\d+s ${STEP} - loss: 0.5000$`));
    expect(finals[1]).toMatch(new RegExp(`^3/3 ━{20} \\d+s ${STEP} - loss: 0.5000$`));
  });

  it("formats values as Keras: 4 decimals, or Python's exponent form at and below 1e-3", () => {
    expect(formatLogValue(0.31)).toBe('0.3100');
    expect(formatLogValue(12.345678)).toBe('12.3457');
    expect(formatLogValue(0.00012)).toBe('1.2000e-04');
    expect(formatLogValue(NaN)).toBe('nan');
  });
});

describe('keras.callbacks.jsonLinesLogger', () => {
  it('writes one JSON object per epoch, on disk at each epoch end; append keeps the lines before', async () => {
    const path = join(dir, 'log.jsonl');
    const { x, y } = data();
    const model = tiny();
    const read = () => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, number>);
    const seen: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 3, batchSize: 5, verbose: 0, validationSplit: 0.25,
      callbacks: [keras.callbacks.jsonLinesLogger({ path }), { onEpochEnd: () => { seen.push(read().length); } }],
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(read()).toEqual([0, 1, 2].map((epoch) => ({ epoch, loss: h.history.loss[epoch], val_loss: h.history.val_loss[epoch] })));
    expect(Object.keys(read()[0])).toEqual(['epoch', 'loss', 'val_loss']);

    await model.fit(x, y, { epochs: 5, initialEpoch: 3, verbose: 0, callbacks: keras.callbacks.jsonLinesLogger({ path, append: true }) });
    expect(read().map((l) => l.epoch)).toEqual([0, 1, 2, 3, 4]);
    await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: new keras.JsonLinesLogger({ path }) });
    expect(read().map((l) => Object.keys(l))).toEqual([['epoch', 'loss']]);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('bad options and unwritable paths are typed errors', async () => {
    expect(() => keras.callbacks.jsonLinesLogger({ path: 'a', apend: true } as never)).toThrow(/unknown option "apend"; did you mean "append"\?/);
    expect(() => keras.callbacks.jsonLinesLogger({ path: 3 } as never)).toThrow(ArgumentError);
    expect(() => keras.callbacks.jsonLinesLogger({ path: 'a', append: 'yes' } as never)).toThrow(/options.append must be a boolean, got/);
    const { x, y } = data();
    const model = tiny();
    const path = join(dir, 'missing', 'log.jsonl');
    const error = await model.fit(x, y, { verbose: 0, callbacks: keras.callbacks.jsonLinesLogger({ path }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileError);
    expect((error as FileError).code).toBe('ENOENT');
    expect((error as FileError).path).toBe(path);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});

describe('keras.callbacks.modelCheckpoint', () => {
  it('fills {epoch:02d}, {loss:.4f}, {val_loss:.2f} (epoch 1-based) and makes the folder', async () => {
    const folder = join(dir, 'names');
    const { x, y } = data();
    const model = tiny();
    const checkpoint = keras.callbacks.modelCheckpoint({ filepath: join(folder, 'sub', 'w-{epoch:02d}-{loss:.4f}-{val_loss:.2f}.safetensors'), monitor: 'val_loss' });
    expect(checkpoint.onBatchEnd).toBeUndefined();
    const h = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, validationSplit: 0.2, callbacks: [checkpoint] });
    const expected = [0, 1, 2].map((e) => `w-0${e + 1}-${h.history.loss[e].toFixed(4)}-${h.history.val_loss[e].toFixed(2)}.safetensors`);
    expect(readdirSync(join(folder, 'sub')).sort()).toEqual(expected.sort());
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('saveBestOnly saves only the epochs that beat the best so far, in the mode and from initialValueThreshold', () => {
    const run = (options: Partial<keras.ModelCheckpointOptions>, values: number[], monitor = 'val_loss') => {
      const saved: string[] = [];
      const cb = keras.callbacks.modelCheckpoint({ filepath: 'e{epoch}', saveBestOnly: true, saveWeightsOnly: true, monitor, ...options });
      cb.setModel({ saveWeights: (path) => saved.push(path), save: async () => {} });
      values.forEach((v, epoch) => cb.onEpochEnd(epoch, { loss: 1, [monitor]: v }));
      return saved;
    };
    expect(run({}, [0.5, 0.6, 0.4, 0.4, 0.1])).toEqual(['e1', 'e3', 'e5']);
    expect(run({}, [0.5, 0.6, 0.4, 0.7], 'val_accuracy')).toEqual(['e1', 'e2', 'e4']);
    expect(run({ mode: 'max' }, [0.5, 0.6, 0.4])).toEqual(['e1', 'e2']);
    expect(run({ initialValueThreshold: 0.45 }, [0.5, 0.6, 0.4, 0.42, NaN, 0.3])).toEqual(['e3', 'e6']);
  });

  it('saveBestOnly in fit keeps the improving epochs; a missing monitor warns once and skips', async () => {
    const folder = join(dir, 'best');
    const { x, y } = data();
    const model = tiny(3);
    const h = await model.fit(x, y, {
      epochs: 6, batchSize: 2, verbose: 0, validationSplit: 0.25, seed: 1,
      callbacks: keras.callbacks.modelCheckpoint({ filepath: join(folder, 'e{epoch}.safetensors'), saveBestOnly: true }),
    });
    let best = Infinity;
    const improving = h.history.val_loss.flatMap((v, e) => (v < best ? ((best = v), [`e${e + 1}.safetensors`]) : []));
    expect(readdirSync(folder).sort()).toEqual(improving.sort());

    const writes = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await model.fit(x, y, {
        epochs: 3, verbose: 0,
        callbacks: keras.callbacks.modelCheckpoint({ filepath: join(dir, 'never', 'w.safetensors'), saveBestOnly: true }),
      });
      const warnings = writes.mock.calls.map((c) => String(c[0])).filter((s) => s.startsWith('modelCheckpoint'));
      expect(warnings).toEqual(['modelCheckpoint: can save the best weights only with "val_loss" in the logs (they hold loss); skipping\n']);
    } finally {
      writes.mockRestore();
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('saveFreq n saves every n batches, with {batch}', async () => {
    const folder = join(dir, 'batches');
    const { x, y } = data(16);
    const model = tiny();
    const checkpoint = keras.callbacks.modelCheckpoint({ filepath: join(folder, 'e{epoch}-b{batch}'), saveFreq: 2, saveWeightsOnly: true });
    expect(typeof checkpoint.onBatchEnd).toBe('function');
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: checkpoint });
    expect(readdirSync(folder).sort()).toEqual(['e1-b2', 'e1-b4', 'e2-b2', 'e2-b4']);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it('bad options and placeholders are typed errors naming the argument', async () => {
    const make = (o: object) => () => keras.callbacks.modelCheckpoint(o as keras.ModelCheckpointOptions);
    expect(make({})).toThrow(/modelCheckpoint options.filepath must be a non-empty string, got undefined/);
    expect(make({ filepath: 'w', saveBestonly: true })).toThrow(/unknown option "saveBestonly"; did you mean "saveBestOnly"\?/);
    expect(make({ filepath: 'w', saveWeightsOnly: false })).toThrow(/filepath must end in .keras or .safetensors to save the whole model \(saveWeightsOnly: false\)/);
    expect(make({ filepath: 'w.weights.h5' })).toThrow(/to save the whole model \(the default, as in Keras 3; pass saveWeightsOnly: true to save the weights only\), got "w.weights.h5"/);
    expect(make({ filepath: 'w', saveBestOnly: 1 })).toThrow(/options.saveBestOnly must be a boolean, got/);
    expect(make({ filepath: 'w', saveFreq: 0 })).toThrow(/options.saveFreq must be an integer >= 1/);
    expect(make({ filepath: 'w', saveFreq: 'batch' })).toThrow(ArgumentError);
    expect(make({ filepath: 'w', mode: 'up' })).toThrow(/options.mode must be 'auto', 'min' or 'max', got/);
    expect(make({ filepath: 'w', monitor: 5 })).toThrow(ArgumentError);
    expect(make({ filepath: 'w', initialValueThreshold: 'low' })).toThrow(/initialValueThreshold must be a number/);
    expect(make({ filepath: 'w-{epoch:.2d}' })).toThrow(/a precision needs the f type/);
    expect(make({ filepath: 'w-{epoch' })).toThrow(/unclosed '\{'/);
    expect(make({ filepath: 'w-{epoch:x}' })).toThrow(/format spec "x" is not one of the supported forms/);
    expect(make({ filepath: 'w-{}' })).toThrow(/must name a value/);
    // A placeholder naming no log fails at the epoch's end, as Keras's KeyError does.
    const { x, y } = data();
    const model = tiny();
    await expect(model.fit(x, y, { verbose: 0, callbacks: keras.callbacks.modelCheckpoint({ filepath: join(dir, 'w-{val_acc}.keras') }) }))
      .rejects.toThrow(/\{val_acc\} names no value of this epoch; the values are loss, epoch/);
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });

  it("fills placeholders with Python's format rules (the supported subset)", () => {
    const fill = (template: string, values: Record<string, number>) => new PathTemplate(template, 'filepath').format(values);
    expect(fill('{epoch:03d}/{epoch}/{epoch:3d}', { epoch: 7 })).toBe('007/7/  7');
    expect(fill('{x:8.3f}|{x:08.3f}|{y:.2f}|{y:f}', { x: -1.5, y: 0.3 })).toBe('  -1.500|-001.500|0.30|0.300000');
    expect(fill('{{literal}}-{e}', { e: 3 })).toBe('{literal}-3');
    expect(() => fill('{loss:d}', { loss: 0.5 })).toThrow(/\{loss:d\} needs an integer, got 0.5/);
    expect(() => fill('a}b', {})).toThrow(/a single '\}'/);
  });
});

describe('modelCheckpoint saving the whole model (the default, as in Keras 3)', () => {
  it('saves the whole model each epoch, as a .keras archive or a .safetensors checkpoint, which keras.loadModel reads', async () => {
    const model = keras.sequential([keras.layers.gru({ units: 3, inputShape: [4, 2] }), keras.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = Tensor.from(Float32Array.from({ length: 8 * 4 * 2 }, (_, i) => Math.sin(i)), [8, 4, 2]);
    const y = Tensor.from(Float32Array.from({ length: 8 }, (_, i) => Math.cos(i)), [8, 1]);
    // Keras 3's line as it stands: ModelCheckpoint('whole-{epoch}.keras').
    const callbacks = [keras.callbacks.modelCheckpoint({ filepath: join(dir, 'whole-{epoch}.keras') }),
      keras.callbacks.modelCheckpoint({ filepath: join(dir, 'whole-{epoch}.safetensors'), saveWeightsOnly: false })];
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks });
    for (const path of [join(dir, 'whole-2.keras'), join(dir, 'whole-2.safetensors')]) {
      const loaded = await keras.loadModel(path);
      const a = model.predict(x), b = loaded.predict(x);
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      for (const t of [a, b]) t.dispose();
      loaded.dispose();
    }
    for (const t of [x, y]) t.dispose();
    model.dispose();
  });
});

describe('Sequential.saveWeights / loadWeights', () => {
  const build = (seed: number) => {
    manualSeed(seed);
    return keras.sequential([
      keras.layers.bidirectional({ layer: keras.layers.gru({ name: 'enc', units: 3, returnSequences: true }), inputShape: [4, 2] }),
      keras.layers.gru({ name: 'dec', units: 2 }),
      keras.layers.dense({ name: 'out', units: 1 }),
    ]);
  };

  it('writes each weight under <layer>/<weight> (Keras 3: class names numbered per model) and loads them into a fresh model that then predicts the same', () => {
    const tensorsBefore = memory().tensors;
    const path = join(dir, 'model.safetensors');
    const a = build(1), b = build(2);
    a.saveWeights(path);
    const file = readSafetensors(path);
    // Not the layers' own names (enc, dec, out; automatic ones differ from one instance to the next).
    expect(Object.keys(file).sort()).toEqual([
      'bidirectional/backward_gru/bias', 'bidirectional/backward_gru/kernel', 'bidirectional/backward_gru/recurrent_kernel',
      'bidirectional/forward_gru/bias', 'bidirectional/forward_gru/kernel', 'bidirectional/forward_gru/recurrent_kernel',
      'dense/bias', 'dense/kernel', 'gru/bias', 'gru/kernel', 'gru/recurrent_kernel',
    ]);
    expect(file['bidirectional/forward_gru/kernel'].shape).toEqual([2, 9]);
    expect(file['gru/bias'].shape).toEqual([2, 6]);
    const weights = a.getWeights();
    expect(Array.from(file['bidirectional/backward_gru/kernel'].dataSync())).toEqual(Array.from(weights[3].dataSync()));
    for (const t of [...Object.values(file), ...weights]) t.dispose();

    const x = Tensor.from(Float32Array.from({ length: 5 * 4 * 2 }, (_, i) => Math.cos(i)), [5, 4, 2]);
    const pa = a.predict(x), before = b.predict(x);
    expect(Array.from(before.dataSync())).not.toEqual(Array.from(pa.dataSync()));
    b.loadWeights(path);
    const pb = b.predict(x);
    expect(Array.from(pb.dataSync())).toEqual(Array.from(pa.dataSync()));
    for (const t of [x, pa, pb, before]) t.dispose();
    a.dispose();
    b.dispose();
    expect(memory().tensors).toBe(tensorsBefore);
  });

  it('checks names and shapes before copying anything; files and paths are checked', () => {
    const path = join(dir, 'check.safetensors');
    const a = build(1);
    a.saveWeights(path);
    manualSeed(3);
    const wider = keras.sequential([
      keras.layers.bidirectional({ layer: keras.layers.gru({ name: 'enc', units: 3, returnSequences: true }), inputShape: [4, 2] }),
      keras.layers.gru({ name: 'dec', units: 2 }),
      keras.layers.dense({ name: 'out', units: 2 }),
    ]);
    const kept = wider.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
    expect(() => wider.loadWeights(path)).toThrow(ShapeError);
    expect(() => wider.loadWeights(path)).toThrow(/dense\/kernel in ".*" has shape \[2, 1\], the model's is \[2, 2\]/);
    // Nothing was copied, not even the layers before the mismatch.
    expect(wider.getWeights().map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; })).toEqual(kept);

    const other = keras.sequential([keras.layers.gru({ units: 2, inputShape: [4, 2], returnSequences: true }), keras.layers.timeDistributed({ layer: keras.layers.dense({ units: 1 }) })]);
    expect(() => other.loadWeights(path)).toThrow(/does not hold this model's weights: missing time_distributed\/kernel, time_distributed\/bias; not in the model /);
    const missing = join(dir, 'nope.safetensors');
    expect(() => a.loadWeights(missing)).toThrow(FileError);
    expect(() => a.saveWeights(join(dir, 'no-such-dir', 'w.safetensors'))).toThrow(FileError);
    expect(() => a.saveWeights('' as string)).toThrow(/saveWeights: path must be a non-empty string/);
    const unbuilt = keras.sequential([keras.layers.dense({ units: 1 })]);
    expect(() => unbuilt.saveWeights(path)).toThrow(/the model is not built yet/);
    for (const m of [a, wider, other]) m.dispose();
  });

  it('modelCheckpoint files load back with loadWeights', async () => {
    const path = join(dir, 'ckpt.safetensors');
    const { x, y } = data();
    const model = tiny();
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: keras.callbacks.modelCheckpoint({ filepath: path, saveWeightsOnly: true }) });
    const fresh = tiny(9);
    fresh.loadWeights(path);
    const p = model.predict(x), q = fresh.predict(x);
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    for (const t of [x, y, p, q]) t.dispose();
    model.dispose();
    fresh.dispose();
  });
});
