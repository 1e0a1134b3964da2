import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');

function node(args: string[]): string {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

describe('the built package (npm run build:ts)', () => {
  it('has CommonJS and ES-module entries with types', () => {
    for (const file of ['dist/cjs/index.js', 'dist/cjs/index.d.ts', 'dist/esm/index.mjs', 'dist/esm/index.d.mts']) {
      expect(existsSync(join(root, file)), `${file} (run npm run build:ts)`).toBe(true);
    }
  });

  it('loads through require() and import, sharing one set of classes', () => {
    const cjs = node(['-e', "const g = require('gru-native'); console.log(g.Tensor.ones([2]).dataSync().join(','))"]);
    expect(cjs).toBe('1,1');
    const esm = node([
      '--input-type=module',
      '-e',
      "import { Tensor } from 'gru-native'; import { createRequire } from 'node:module'; " +
        "const cjs = createRequire(import.meta.url)('gru-native'); console.log(Tensor === cjs.Tensor, Tensor.zeros([3]).numel)",
    ]);
    expect(esm).toBe('true 3');
  });
});
