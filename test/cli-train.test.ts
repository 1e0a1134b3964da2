/**
 * `gru-native train`, `sample` and `demo` as a user runs them: train on a text file, then sample
 * from its checkpoint; --resume continues the step count and the loss; Ctrl-C (SIGINT) stops
 * after a batch with a checkpoint that --resume finishes; a CSV column trains a forecaster; the
 * log and SVG plots are written; argument mistakes exit with 2 and say what was wrong.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { datasets } from '../lib/index';
import { expectPlot } from './helpers/svg';

const cli = join(__dirname, '..', 'dist', 'cjs', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'gru-native-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const book = join(dir, 'book.txt');
const words = ['the', 'whale', 'sea', 'ship', 'and', 'white', 'captain', 'said', 'ahab', 'boat'];
writeFileSync(book, Array.from({ length: 1200 }, (_, i) => words[(i * 7) % words.length] + (i % 11 === 10 ? '.\n' : ' ')).join(''));
const SMALL = ['--data', book, '--hidden', '24', '--layers', '1', '--embedding', '8', '--batch', '4', '--seq', '20', '--lr', '0.01'];

const log = (out: string): { epoch: number; step: number; loss: number; valLoss: number }[] =>
  readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('gru-native train and sample', () => {
  it('trains a character model on a text file, writes its checkpoint, log and plots, and samples from it', () => {
    const out = join(dir, 'char');
    const trained = run('train', ...SMALL, '--epochs', '3', '--out', out);
    expect(trained.stderr + trained.stdout).not.toMatch(/error/i);
    expect(trained.status).toBe(0);
    expect(trained.stdout).toMatch(/loss by batch [▁▂▃▄▅▆▇█]+ \d+\.\d+ -> \d+\.\d+/);
    expect(trained.stdout).toContain(`gru-native sample --checkpoint ${out}`);
    // The progress on a pipe: Keras's line per epoch.
    expect(trained.stderr).toMatch(/Epoch 3\/3 - \d+s - \S+\/step - loss: \d\.\d{4} - perplexity: [\d.]+ - val_loss: \d\.\d{4}/);
    const epochs = log(out);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // A repeating text: the loss falls by more than half.
    expect(epochs[2].loss).toBeLessThan(epochs[0].loss / 2);
    expectPlot(join(out, 'loss.svg'), ['loss', 'val_loss']);
    expectPlot(join(out, 'perplexity.svg'), ['perplexity', 'val_perplexity']);

    const sampled = run('sample', '--checkpoint', out, '--prompt', 'the wh', '--length', '60', '--temperature', '0.5');
    expect(sampled.status).toBe(0);
    expect(sampled.stdout.startsWith('the wh')).toBe(true);
    expect(sampled.stdout.trim().length).toBe(66);
    // The same seed writes the same text; top-k 1 is greedy.
    expect(run('sample', '--checkpoint', out, '--prompt', 'the wh', '--length', '60', '--temperature', '0.5').stdout).toBe(sampled.stdout);
    const greedy = run('sample', '--checkpoint', join(out, 'checkpoint.safetensors'), '--top-k', '1', '--seed', '5', '--length', '30');
    expect(greedy.stdout).toBe(run('sample', '--checkpoint', out, '--top-k', '1', '--seed', '6', '--length', '30').stdout);
  });

  it('--resume continues the step count and the loss of the run in --out', () => {
    const straight = join(dir, 'straight'), split = join(dir, 'split');
    expect(run('train', ...SMALL, '--epochs', '2', '--out', straight).status).toBe(0);
    expect(run('train', ...SMALL, '--epochs', '1', '--out', split).status).toBe(0);
    const resumed = run('train', '--data', book, '--out', split, '--resume', '--epochs', '2');
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`resuming ${join(split, 'checkpoint.safetensors')}`);
    const a = log(straight), b = log(split);
    expect(b.map((e) => [e.epoch, e.step])).toEqual(a.map((e) => [e.epoch, e.step]));
    expect(b.map((e) => e.loss)).toEqual(a.map((e) => e.loss));
    expect(b.map((e) => e.valLoss)).toEqual(a.map((e) => e.valLoss));
    // Model options come from the checkpoint.
    const fixed = run('train', '--data', book, '--out', split, '--resume', '--hidden', '32');
    expect(fixed.status).toBe(2);
    expect(fixed.stderr).toMatch(/hidden is fixed by the checkpoint/);
  });

  it('Ctrl-C stops after the current batch with a checkpoint that --resume finishes', async () => {
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [cli, 'train', ...SMALL, '--epochs', '40', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // Interrupt once training has written its first checkpoint (the end of epoch 1).
    const checkpoint = join(out, 'checkpoint.safetensors');
    while (!existsSync(checkpoint)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(stderr).toContain('stopping after this batch to write a checkpoint');
    expect(code).toBe(130);
    const [, stoppedAt] = stdout.match(/stopped at step (\d+)/)!;
    expect(stdout).toContain(`--out ${out} --resume`);
    const finished = run('train', '--data', book, '--out', out, '--resume', '--epochs', '3');
    expect(finished.status).toBe(0);
    const epochs = log(out);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(epochs[2].step).toBeGreaterThan(Number(stoppedAt));
    expect(epochs[2].step % epochs[0].step).toBe(0);
  });

  it('trains a forecaster on a CSV column and forecasts from its checkpoint', () => {
    const { years, values } = datasets.sunspots();
    const csv = join(dir, 'sunspots.csv');
    writeFileSync(csv, `year,sunspots\n${Array.from(years, (y, i) => `${y},${values[i]}`).join('\n')}\n`);
    const out = join(dir, 'series');
    const trained = run('train', '--data', csv, '--column', 'sunspots', '--window', '12', '--hidden', '16', '--epochs', '8', '--batch', '16', '--lr', '0.01', '--out', out);
    expect(trained.status).toBe(0);
    expect(trained.stdout).toContain(`column 'sunspots', ${years.length} values`);
    const [, model, naive] = trained.stdout.match(/held-out rmse ([\d.]+) against ([\d.]+) for "same as the last value"/)!;
    expect(Number(model)).toBeLessThan(Number(naive));
    expectPlot(join(out, 'loss.svg'), ['loss', 'val_loss']);
    const forecast = run('sample', '--checkpoint', out, '--length', '3');
    expect(forecast.status).toBe(0);
    expect(forecast.stdout).toMatch(/forecast of 'sunspots' after its last value \(309 values\):\n {2}t\+1: [\d.-]+\n {2}t\+2: [\d.-]+\n {2}t\+3: [\d.-]+/);
    const prompt = run('sample', '--checkpoint', out, '--prompt', 'x');
    expect(prompt.status).toBe(2);
    expect(prompt.stderr).toMatch(/--prompt is for language models/);
    // A column by position, and a bad cell named by its line.
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n3,oops\n');
    const bad = run('train', '--data', join(dir, 'bad.csv'), '--column', '2', '--out', join(dir, 'bad'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/line 3, column 'b': expected a number, got "oops"/);
  });

  it('says what is wrong with the command line, and exits with 2', () => {
    const cases: [string[], RegExp][] = [
      [['train'], /--data FILE is required/],
      [['train', '--data', join(dir, 'missing.txt')], /--data: no file/],
      [['train', ...SMALL, '--epochs', 'two'], /--epochs must be an integer >= 1, got 'two'/],
      [['train', ...SMALL, '--lr', '0'], /--lr must be a number > 0, got '0'/],
      [['train', ...SMALL, '--level', 'byte'], /--level must be one of char, word, got 'byte'/],
      [['train', ...SMALL, '--epoch', '3'], /Unknown option '--epoch'/],
      [['train', ...SMALL, '--window', '5'], /--window is for CSV data/],
      [['train', '--data', book, '--out', join(dir, 'nothing'), '--resume'], /--resume: no checkpoint at/],
      [['sample'], /--checkpoint FILE\|DIR is required/],
      [['sample', '--checkpoint', join(dir, 'nothing')], /--checkpoint: no checkpoint at/],
      [['sample', '--checkpoint', book], /gru-native sample: /],
      [['demo', '--chars', '5'], /--chars must be an integer >= 10000, got '5'/],
      [['bench', 'nope'], /unknown suite 'nope'/],
    ];
    for (const [args, message] of cases) {
      const r = run(...args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.status, args.join(' ')).toBe(2);
    }
    for (const command of ['demo', 'train', 'sample', 'bench', 'info']) {
      const help = run(command, '--help');
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: gru-native ${command}`));
    }
    expect(run('train', '--help').stdout).toMatch(/--resume +continue the run whose checkpoint is in --out/);
  });
});
