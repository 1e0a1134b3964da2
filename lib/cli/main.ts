#!/usr/bin/env node
/**
 * The `gru-native` command. `info` prints what this installation runs on: the package and Node
 * versions, the addon file and its kernels, OpenBLAS and its threads, and CUDA (devices, or why
 * it is unavailable). Arguments are parsed with Node's util.parseArgs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { backends } from '../backends';

const USAGE = `usage: gru-native <command> [options]

commands:
  info     versions, the loaded addon and its kernels, OpenBLAS threads, CUDA devices
           --json   print it as JSON

gru-native --help, gru-native <command> --help`;

/** The package's version, from the nearest package.json named gru-native above this file (dist/ or lib/). */
function version(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gru-native' && pkg.version) return pkg.version;
    } catch {
      // not here: look further up
    }
  }
  return 'unknown';
}

function info(argv: string[]): void {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true });
  if (values.help) {
    console.log('usage: gru-native info [--json]');
    return;
  }
  const all = backends();
  const report = { gruNative: version(), node: process.version, platform: `${process.platform}-${process.arch}`, backends: all };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  const cpu = all.find((b) => b.name === 'cpu')!, cuda = all.find((b) => b.name === 'cuda')!;
  const lines = [
    `gru-native ${report.gruNative} on Node ${report.node} (${report.platform})`,
    `addon:  ${cpu.binary?.path ?? 'unknown'}${cpu.binary?.prebuilt ? ' (prebuilt)' : ''}`,
    `cpu:    ${cpu.version?.openblas ?? 'OpenBLAS'}; ${cpu.threads} threads; GRU kernels ${cpu.kernels?.gru ?? '?'}, OpenBLAS kernels ${cpu.kernels?.openblas ?? '?'}`,
    cuda.available
      ? `cuda:   ${(cuda.devices ?? []).map((d) => JSON.stringify(d)).join(', ')}; ${JSON.stringify(cuda.version)}`
      : `cuda:   unavailable: ${cuda.reason}`,
  ];
  console.log(lines.join('\n'));
}

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === 'info') {
      info(rest);
      return 0;
    }
    console.error(`gru-native: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  } catch (error) {
    console.error(`gru-native ${command}: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
