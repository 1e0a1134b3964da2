#!/usr/bin/env node
/**
 * The `gru-native` command: demo, train, sample, bench and info, each with --help. A mistake on
 * the command line exits with 2 and says what was wrong; a failure while running exits with 1.
 */
// The Tensor methods (t.reshape(), ...) are installed by this import, as the package entry does.
import '../tensor-methods';
import { ArgumentError } from '../errors';
import { UsageError } from './args';
import { bench } from './commands/bench';
import { demo } from './commands/demo';
import { info } from './commands/info';
import { sample } from './commands/sample';
import { train } from './commands/train';

const COMMANDS: Record<string, { run: (argv: string[]) => number | Promise<number>; summary: string }> = {
  demo: { run: demo, summary: 'the quick-start demo: a character model of Moby-Dick that writes text as it learns (~2 min)' },
  train: { run: train, summary: 'train a language model on a text file, or a forecaster on a CSV column; --resume' },
  sample: { run: sample, summary: 'write text with a trained language model, or forecast with a series model' },
  bench: { run: bench, summary: 'run the benchmarks against PyTorch and TF.js (from a clone of the repository)' },
  info: { run: info, summary: 'versions, the loaded addon and its kernels, OpenBLAS threads, CUDA devices' },
};

const USAGE = [
  'usage: gru-native <command> [options]',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`),
  '',
  'gru-native --help, gru-native <command> --help',
].join('\n');

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    console.error(`gru-native: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  try {
    return await entry.run(rest);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) {
      console.error(`gru-native ${command}: ${message}\n(see gru-native ${command} --help)`);
      return 2;
    }
    // The library's typed errors are the user's to fix too (a wrong file, an option a checkpoint fixes).
    console.error(`gru-native ${command}: ${message}`);
    return error instanceof ArgumentError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
