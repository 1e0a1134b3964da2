/** Every ```ts block of the README runs as it stands (a ```ts cuda block only where CUDA is available). */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { backends } from '../lib/index';
import { readmeBlocks, root, writeBlocks } from './helpers/readme-blocks';

const cuda = backends().find((b) => b.name === 'cuda')!;
const blocks = readmeBlocks();
const paths = writeBlocks(blocks, 'readme-run');
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

describe('README code blocks', () => {
  it('has blocks to run', () => {
    expect(blocks.length).toBeGreaterThan(4);
  });

  blocks.forEach((block, i) => {
    const title = `the block at README.md line ${block.line}${block.needsCuda && !cuda.available ? ` (skipped: ${cuda.reason})` : ''}`;
    it.skipIf(block.needsCuda && !cuda.available)(`${title} runs`, () => {
      const result = spawnSync(process.execPath, [tsx, paths[i]], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(result.status, `README.md line ${block.line}:\n${result.stderr}`).toBe(0);
    });
  });
});
