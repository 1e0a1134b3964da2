/**
 * The README's TypeScript code blocks: each ```ts block is a whole program importing from
 * 'gru-native' (the package resolves to its own build through its "exports"); a block fenced
 * ```ts cuda needs a GPU. Used to run them (readme.test.ts) and to type-check them
 * (types.test.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  needsCuda: boolean;
  source: string;
}

export function readmeBlocks(): ReadmeBlock[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```ts(?:\s+(\w+))?\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    blocks.push({ line: start + 1, needsCuda: fence[1] === 'cuda', source: body.join('\n') + '\n' });
  }
  return blocks;
}

/** Writes the blocks as .mts files in a folder inside the package (so 'gru-native' resolves to it); returns their paths. */
export function writeBlocks(blocks: ReadmeBlock[], folder: string): string[] {
  const dir = join(root, '.test-cache', folder); // inside the package, outside node_modules: 'gru-native' resolves to itself
  mkdirSync(dir, { recursive: true });
  return blocks.map((block) => {
    const path = join(dir, `readme-line-${block.line}.mts`);
    writeFileSync(path, block.source);
    return path;
  });
}
