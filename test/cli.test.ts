/** The `gru-native` command (package.json bin): info, help, bad arguments. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = join(__dirname, '..', 'dist', 'cjs', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('gru-native command', () => {
  it('info says the version, the addon, the kernels and why CUDA is or is not there', () => {
    const out = run('info');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^gru-native 0\.1\.0 on Node v\d+/);
    expect(out.stdout).toMatch(/addon: {2}\S+gru_native\S*\.node/);
    expect(out.stdout).toMatch(/cpu: {4}OpenBLAS .*; \d+ threads; GRU kernels \S+/);
    expect(out.stdout).toMatch(/cuda: {3}(unavailable: .+|.+)/);
    const json = JSON.parse(run('info', '--json').stdout);
    expect(json.backends.map((b: { name: string }) => b.name)).toEqual(['cpu', 'cuda']);
  });

  it('prints its usage, and refuses unknown commands and options with exit code 2', () => {
    expect(run('--help').stdout).toMatch(/usage: gru-native <command>/);
    const unknown = run('trian');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'trian'/);
    const option = run('info', '--jsno');
    expect(option.status).toBe(2);
    expect(option.stderr).toMatch(/gru-native info: Unknown option '--jsno'/);
  });
});
