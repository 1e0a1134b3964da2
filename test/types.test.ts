/**
 * The published types (dist/cjs/*.d.ts, dist/esm/index.d.mts) compile in a consumer project
 * with TypeScript 5 and 7 and no compiler settings but --strict (TypeScript 5's default lib is
 * ES5), `import gn from 'gru-native'` type-checks, dataSync() is typed by dtype, and every
 * README code block type-checks against them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { readmeBlocks, root } from './helpers/readme-blocks';

const compilers = {
  'TypeScript 5': join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
  'TypeScript 7': join(root, 'node_modules', 'typescript7', 'bin', 'tsc'),
};

/** A fresh project folder with gru-native (and the named @types packages) installed by symlink. */
function consumer(types: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'gru-native-consumer-'));
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'gru-native'), 'dir');
  for (const name of types) symlinkSync(join(root, 'node_modules', '@types', name), join(dir, 'node_modules', '@types', name), 'dir');
  return dir;
}

function tsc(compiler: string, dir: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [compiler, ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const APP = `
import gn, { GRU, Tensor, noGrad, scope, type DType, type GRUOutput } from 'gru-native';

const ints = Tensor.zeros([2], { dtype: 'int32' });
const intValues: Int32Array = ints.dataSync();
const doubles: Float64Array = Tensor.from(new Float64Array(3)).dataSync();
const floats: Float32Array = Tensor.ones([2]).dataSync();
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
const exact: Same<ReturnType<typeof ints.dataSync>, Int32Array> = true;
const wrong: Same<ReturnType<typeof ints.dataSync>, Float32Array> = NOT_FLOAT32;
const gru = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 1 });
const hidden: number = gru.hiddenSize;
const result: GRUOutput = noGrad(() => gru.forward(Tensor.zeros([1, 1, 2])));
const summed = scope(() => result.output.add(1).sum());
const dtype: DType = summed.dtype;
summed[Symbol.dispose]();
// @ts-expect-error options are checked by name
new GRU({ inputSize: 2, hiddenSize: 3, batch_first: true });
console.log(intValues, doubles, floats, exact, wrong, hidden, dtype, gn.backends().length);
`;

// With an ES5 lib, Int32Array and Float32Array have the same members, so only a newer lib can tell them apart.
const es5App = APP.replace('NOT_FLOAT32', 'true as never');
const es2022App = APP.replace('NOT_FLOAT32', 'false');

describe('published types in a consumer project', () => {
  for (const [name, compiler] of Object.entries(compilers)) {
    it(`${name}: tsc --noEmit --strict app.ts, no other settings`, () => {
      const dir = consumer();
      writeFileSync(join(dir, 'app.ts'), es5App);
      const { status, output } = tsc(compiler, dir, ['--noEmit', '--strict', 'app.ts']);
      expect(output).toBe('');
      expect(status).toBe(0);
    });

    it(`${name}: an ES-module consumer (nodenext) imports the default export and the names`, () => {
      const dir = consumer();
      writeFileSync(join(dir, 'app.mts'), es2022App);
      const { status, output } = tsc(compiler, dir, ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', 'app.mts']);
      expect(output).toBe('');
      expect(status).toBe(0);
    });

    it(`${name}: every README code block type-checks`, () => {
      const dir = consumer(['node']);
      const files = readmeBlocks().map((block) => {
        const file = `readme-line-${block.line}.mts`;
        writeFileSync(join(dir, file), block.source);
        return file;
      });
      // The blocks use Node's modules and `using`, so this project names its types and libs.
      const { status, output } = tsc(compiler, dir, ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022',
        '--lib', 'es2022,esnext.disposable', '--types', 'node', ...files]);
      expect(output).toBe('');
      expect(status).toBe(0);
    });
  }
});
