/**
 * What the tutorial examples share: their command line (`--device cpu|cuda`, `--out DIR`,
 * `--quick` for the reduced size the test suite runs, `--seed`), an output folder holding the
 * JSON-lines training log and a summary, and running `main` only when the file is the program.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { backends, keras, manualSeed, type Device } from '../../lib/index';

export interface ExampleOptions {
  device: Device;
  /** The output folder (created): log.jsonl and summary.json. */
  out: string;
  /** The reduced size the test suite runs. */
  quick: boolean;
  seed: number;
  /** 0 silent, else Keras's progress (default 1). */
  verbose: 0 | 1 | 2;
  /** The language model's tokens (`--level word|char`); the other examples ignore it. */
  level?: 'word' | 'char';
}

export function parseExampleArgs(name: string, argv = process.argv.slice(2)): ExampleOptions {
  const { values } = parseArgs({
    args: argv,
    options: { device: { type: 'string', default: 'cpu' }, out: { type: 'string', default: join('out', name) }, quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' }, level: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) {
    console.log(`npx tsx examples/${name}.ts [--device cpu|cuda] [--out DIR] [--quick] [--seed N]${name === 'word-lm' ? ' [--level word|char]' : ''}`);
    process.exit(0);
  }
  if (values.device !== 'cpu' && values.device !== 'cuda') throw new Error(`--device must be cpu or cuda, got ${values.device}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (values.level !== undefined && values.level !== 'word' && values.level !== 'char') throw new Error(`--level must be word or char, got ${values.level}`);
  return { device: values.device, out: values.out!, quick: values.quick!, seed, verbose: 1, level: values.level as 'word' | 'char' | undefined };
}

/** Seeds the generator, makes the output folder, and says where the example runs. */
export function begin(name: string, o: ExampleOptions): { log: keras.JsonLinesLogger } {
  manualSeed(o.seed);
  mkdirSync(o.out, { recursive: true });
  if (o.verbose > 0) {
    const cuda = backends().find((b) => b.name === 'cuda')!;
    console.log(`${name} on ${o.device}${o.quick ? ' (quick size)' : ''}; cuda: ${cuda.available ? 'available' : cuda.reason}; writing ${o.out}`);
  }
  return { log: keras.callbacks.jsonLinesLogger({ path: join(o.out, 'log.jsonl') }) };
}

/** Writes summary.json and prints it. */
export function finish(o: ExampleOptions, summary: Record<string, unknown>): void {
  writeFileSync(join(o.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (o.verbose > 0) console.log(JSON.stringify(summary));
}

/** Runs `main` with the command line when the module is the program (not when a test imports it). */
export function runIfMain(module: NodeJS.Module, name: string, main: (o: ExampleOptions) => Promise<unknown>): void {
  if (require.main !== module) return;
  main(parseExampleArgs(name)).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
