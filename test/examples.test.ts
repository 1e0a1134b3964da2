/**
 * The tutorial examples at the reduced size (--quick): each learns its task, writes its
 * JSON-lines log (one line per epoch) and summary.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { binaryRelu } from '../examples/binary-relu';
import { parseExampleArgs, type ExampleOptions } from '../examples/lib/example';
import { sequenceClassification } from '../examples/sequence-classification';
import { sine } from '../examples/sine';
import { stackedBinary } from '../examples/stacked-binary';
import { wordLm } from '../examples/word-lm';
import { expectPlot } from './helpers/svg';

const dir = mkdtempSync(join(tmpdir(), 'gru-native-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (name: string): ExampleOptions => ({ device: 'cpu', out: join(dir, name), quick: true, seed: 1, verbose: 0 });

function logLines(name: string): Record<string, number>[] {
  return readFileSync(join(dir, name, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('tutorial examples (quick size)', () => {
  it('1 sequence-classification remembers which pattern appeared early', async () => {
    const { heldOutAccuracy, history } = await sequenceClassification(options('seq'));
    expect(heldOutAccuracy).toBeGreaterThan(0.9);
    expect(logLines('seq')).toHaveLength(history.loss.length);
    expect(logLines('seq')[0]).toHaveProperty('val_accuracy');
    expect(existsSync(join(dir, 'seq', 'summary.json'))).toBe(true);
    expectPlot(join(dir, 'seq', 'loss.svg'), ['loss', 'val_loss']);
    expectPlot(join(dir, 'seq', 'accuracy.svg'), ['accuracy', 'val_accuracy']);
  });

  it('2 binary-relu integrates over the sequence with relu GRUs', async () => {
    const { heldOutAccuracy, history } = await binaryRelu(options('relu'));
    expect(heldOutAccuracy).toBeGreaterThan(0.8);
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]);
  });

  it('3 stacked-binary finds a spike anywhere in the sequence', async () => {
    const { heldOutAccuracy } = await stackedBinary(options('stacked'));
    expect(heldOutAccuracy).toBeGreaterThan(0.9);
  });

  it('4 sine fits y = x^2 and forecasts the sunspots', async () => {
    const { sineLoss, testScore, functionalScore, gruRmse, baselineRmse } = await sine(options('sine'));
    expect(sineLoss.at(-1)!).toBeLessThan(sineLoss[0]);
    expect(Number.isFinite(testScore)).toBe(true);
    // The functional form trains as well (its first point's error is of the same order).
    expect(functionalScore).toBeLessThan(Math.max(testScore * 10, 0.05));
    // Even at the quick size the forecast is in the baseline's range.
    expect(gruRmse).toBeLessThan(baselineRmse * 1.5);
    expect(JSON.parse(readFileSync(join(dir, 'sine', 'summary.json'), 'utf8')).sunspots.heldOut).toBe('1950-2008');
    expectPlot(join(dir, 'sine', 'sine.svg'), ['truth', 'prediction']);
    expectPlot(join(dir, 'sine', 'sunspots.svg'), ['actual', 'GRU', 'same as last year']);
  });

  it('5 word-lm (character level at the quick size) learns Moby-Dick and writes text', async () => {
    const { perplexities, text } = await wordLm(options('lm'));
    expect(perplexities.at(-1)!).toBeLessThan(perplexities[0] / 3);
    expect(text.length).toBeGreaterThan(60);
    expect(text.startsWith('Call me')).toBe(true);
    expect(existsSync(join(dir, 'lm', 'checkpoint.safetensors'))).toBe(true);
    expectPlot(join(dir, 'lm', 'perplexity.svg'), ['held-out perplexity']);
  });

  it('refuse bad command lines', () => {
    expect(() => parseExampleArgs('x', ['--device', 'gpu'])).toThrow(/--device must be cpu or cuda, got gpu/);
    expect(() => parseExampleArgs('x', ['--seed', 'one'])).toThrow(/--seed must be an integer/);
    expect(() => parseExampleArgs('x', ['--level', 'byte'])).toThrow(/--level must be word or char, got byte/);
    expect(() => parseExampleArgs('x', ['--epochs', '3'])).toThrow(/Unknown option '--epochs'/);
    expect(parseExampleArgs('x', ['--quick', '--out', '/tmp/o'])).toMatchObject({ quick: true, out: '/tmp/o', device: 'cpu' });
  });
});
