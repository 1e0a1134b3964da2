/**
 * The trainers behind `gru-native train`: a language model of a text and a forecaster of a
 * series learn; a run stopped through its signal after any batch and resumed from its checkpoint
 * gives the same losses and weights as the run that never stopped; sampling and forecasting read
 * the checkpoint alone; bad options are typed errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { ArgumentError, datasets, memory, series, text } from '../lib/index';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-trainers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Text with structure: words from a small set, in an order that mostly repeats. */
function phrases(words: number): string {
  const set = ['the', 'whale', 'sea', 'ship', 'and', 'a', 'white', 'captain', 'said', 'ahab'];
  let state = 7, out = '';
  for (let i = 0; i < words; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out += `${set[(state >>> 16) % 7 === 0 ? (state >>> 8) % set.length : (i * 3) % set.length]}${i % 9 === 8 ? '. ' : ' '}`;
  }
  return out;
}

const SMALL = { level: 'char' as const, embedding: 8, hidden: 24, layers: 2, batch: 4, seq: 16, lr: 0.01, clip: 1, verbose: 0 as const };

async function weightsOf(model: { stateDict(): Record<string, { data(): Promise<ArrayLike<number>>; dispose(): void }> }): Promise<number[]> {
  const out: number[] = [];
  for (const t of Object.values(model.stateDict())) {
    out.push(...Array.from(await t.data()));
    t.dispose();
  }
  return out;
}

describe('trainTextModel', () => {
  const corpus = phrases(1500);

  it('learns a text: the held-out perplexity falls, and samples start from the prompt', async () => {
    const r = await text.trainTextModel({ ...SMALL, text: corpus, epochs: 3 });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    // Uniform guessing has the vocabulary's size as perplexity (about 20 characters here).
    expect(r.history[2].valPerplexity).toBeLessThan(r.history[0].valPerplexity);
    expect(r.history[2].valPerplexity).toBeLessThan(r.vocabulary.length / 10);
    const prompt = text.encode(text.tokenize('the wh', 'char'), r.vocabulary);
    const ids = await text.sampleTokens(r.model, prompt, { length: 40, temperature: 0.5, seed: 3 });
    expect(ids).toHaveLength(40);
    expect(ids.every((id) => id >= 0 && id < r.vocabulary.length)).toBe(true);
    // Greedy (top-1) sampling is the argmax, so any seed gives the same text.
    const greedy = async (seed: number) => text.sampleTokens(r.model, prompt, { length: 20, topK: 1, seed });
    expect(await greedy(1)).toEqual(await greedy(2));
    r.model.dispose();
  });

  it('a run stopped after any batch and resumed from its checkpoint equals the run that never stopped', async () => {
    const straight = await text.trainTextModel({ ...SMALL, text: corpus, epochs: 2, checkpoint: join(dir, 'straight.safetensors') });
    const batchesPerEpoch = straight.step / 2;
    // Stops mid-epoch 1, then at the end of epoch 1 (the last batch waits for the epoch's end).
    for (const stopAt of [3, batchesPerEpoch]) {
      const controller = new AbortController();
      const path = join(dir, `stopped-${stopAt}.safetensors`);
      const first = await text.trainTextModel({ ...SMALL, text: corpus, epochs: 2, checkpoint: path, signal: controller.signal,
        onBatchEnd: (step) => { if (step === stopAt) controller.abort(); } });
      expect(first.stopped).toBe(true);
      expect(first.step).toBe(stopAt);
      first.model.dispose();
      const resumed = await text.trainTextModel({ text: corpus, resumeFrom: path, checkpoint: path, verbose: 0 });
      expect(resumed.stopped).toBe(false);
      expect(resumed.step).toBe(straight.step);
      expect(resumed.history).toEqual(straight.history.map((h, i) => ({ ...h, seconds: resumed.history[i].seconds })));
      expect(await weightsOf(resumed.model)).toEqual(await weightsOf(straight.model));
      resumed.model.dispose();
    }
    // More epochs on resume continue the count.
    const more = await text.trainTextModel({ text: corpus, resumeFrom: join(dir, 'straight.safetensors'), epochs: 3, verbose: 0 });
    expect(more.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(more.step).toBe(batchesPerEpoch * 3);
    more.model.dispose();
    straight.model.dispose();
  });

  it('loadTextModel rebuilds the model from the file alone and leaves the global generator be', async () => {
    const loaded = text.loadTextModel(join(dir, 'straight.safetensors'));
    expect(loaded.state.level).toBe('char');
    expect(loaded.model.config).toEqual({ vocabulary: loaded.state.vocabulary.length, embedding: 8, hidden: 24, layers: 2, dropout: 0.2 });
    const ids = await text.sampleTokens(loaded.model, [1, 2], { length: 5 });
    expect(ids).toHaveLength(5);
    loaded.model.dispose();
  });

  it('refuses another text, options the checkpoint fixes, and bad options, by name', async () => {
    const path = join(dir, 'straight.safetensors');
    await expect(text.trainTextModel({ text: `${corpus}more`, resumeFrom: path, verbose: 0 })).rejects.toThrow(/not the one .* was trained on/);
    await expect(text.trainTextModel({ text: corpus, resumeFrom: path, hidden: 32 })).rejects.toThrow(/hidden is fixed by the checkpoint/);
    await expect(text.trainTextModel({ ...SMALL, text: corpus, epochs: 0 })).rejects.toThrow(/epochs must be an integer >= 1, got 0/);
    await expect(text.trainTextModel({ ...SMALL, text: corpus, level: 'byte' as never })).rejects.toThrow(ArgumentError);
    await expect(text.trainTextModel({ ...SMALL, text: corpus, hiden: 3 } as never)).rejects.toThrow(/unknown option "hiden"; did you mean "hidden"/);
    await expect(text.trainTextModel({ ...SMALL, text: 'tiny', batch: 4 })).rejects.toThrow(/too few for batch 4/);
    const { model } = text.loadTextModel(path);
    await expect(text.sampleTokens(model, [], {})).rejects.toThrow(/at least one token/);
    await expect(text.sampleTokens(model, [1], { temperature: 0 })).rejects.toThrow(/temperature must be > 0, got 0/);
    model.dispose();
  });
});

describe('trainSeriesModel', () => {
  const { values } = datasets.sunspots();

  it('learns the sunspots better than "same as last year", resumes exactly, and forecasts from the checkpoint', async () => {
    const o = { values, name: 'sunspots', window: 12, hidden: 16, epochs: 6, batch: 16, lr: 0.01, verbose: 0 as const };
    const straight = await series.trainSeriesModel({ ...o, checkpoint: join(dir, 'series.safetensors') });
    const last = straight.history.at(-1)!;
    expect(last.valRmse).toBeLessThan(last.naiveRmse);
    expect(last.loss).toBeLessThan(straight.history[0].loss);
    const controller = new AbortController();
    const path = join(dir, 'series-stopped.safetensors');
    const first = await series.trainSeriesModel({ ...o, checkpoint: path, signal: controller.signal, onBatchEnd: (s) => { if (s === 20) controller.abort(); } });
    expect(first.stopped).toBe(true);
    first.model.dispose();
    await expect(series.trainSeriesModel({ values, resumeFrom: path, window: 12 })).rejects.toThrow(/trainSeriesModel: window is fixed by the checkpoint being resumed/);
    const resumed = await series.trainSeriesModel({ values, resumeFrom: path, verbose: 0 });
    expect(resumed.step).toBe(straight.step);
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(await weightsOf(resumed.model)).toEqual(await weightsOf(straight.model));
    resumed.model.dispose();
    straight.model.dispose();

    const loaded = series.loadSeriesModel(join(dir, 'series.safetensors'));
    const forecast = await series.forecastSeries(loaded.model, loaded.state, 3);
    expect(forecast).toHaveLength(3);
    for (const v of forecast) expect(v).toBeGreaterThan(-50), expect(v).toBeLessThan(400);
    loaded.model.dispose();
  });

  it('refuses series too short and bad options', async () => {
    await expect(series.trainSeriesModel({ values: [1, 2, 3], window: 5 })).rejects.toThrow(/make no training window of 5 values/);
    await expect(series.trainSeriesModel({ values: [1, NaN, 3] })).rejects.toThrow(/finite/);
    await expect(series.trainSeriesModel({ values, heldOut: 0.7 })).rejects.toThrow(/heldOut must be in \[0, 0.5\)/);
    // Each trainer resumes its own kind of run only.
    await expect(text.trainTextModel({ text: 'some text', resumeFrom: join(dir, 'series.safetensors') })).rejects.toThrow(/not a language-model checkpoint \(its kind is "gru-native.series-model"/);
    await expect(series.trainSeriesModel({ values, resumeFrom: join(dir, 'straight.safetensors') })).rejects.toThrow(/not a series-forecaster checkpoint/);
  });

  it('leaves no tensors behind, also when an option is refused after the model is built', async () => {
    const before = memory().tensors;
    await expect(text.trainTextModel({ ...SMALL, text: 'tiny', batch: 4 })).rejects.toThrow(/too few/);
    const r = await series.trainSeriesModel({ values: values.subarray(0, 80), window: 8, hidden: 4, epochs: 2, verbose: 0, checkpoint: join(dir, 'leak.safetensors') });
    r.model.dispose();
    expect(memory().tensors).toBe(before);
  });
});
