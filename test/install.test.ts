/**
 * scripts/install.js on machines without what a source build needs: one message naming each
 * missing piece and the commands that fix it, printed once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');

/** A PATH holding only node and a shell. */
function barePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gru-native-bare-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  symlinkSync('/bin/sh', join(dir, 'sh'));
  return dir;
}

function install(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'install.js')], {
    cwd: root, encoding: 'utf8', env: { HOME: process.env.HOME, ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const count = (text: string, part: string): number => text.split(part).length - 1;

/** Whether this machine lets us hide a folder in a private mount namespace (unshare -rm). */
const canHideIncludes = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount --bind /tmp /usr/include'], { stdio: 'ignore' }).status === 0;
if (!canHideIncludes) console.log('install.test.ts: the missing-OpenBLAS case is skipped: unshare -rm cannot create a mount namespace here');

describe('scripts/install.js building from source', () => {
  it('as a dependency: names what is missing once, with the apt line and `npm rebuild gru-native`', () => {
    const { status, output } = install({ PATH: barePath(), GRU_NATIVE_BUILD_FROM_SOURCE: '1', INIT_CWD: tmpdir() });
    expect(status).toBe(1);
    expect(output).toMatch(/cannot build the native addon from source here; missing: a C\+\+ compiler, CMake, make(, the OpenBLAS headers)?\./);
    expect(count(output, 'apt-get install -y g++ cmake make')).toBe(1);
    expect(count(output, 'npm rebuild gru-native')).toBe(1);
    expect(output).not.toContain('npm run build:native');
  });

  it('in a clone of the repository: the retry command is `npm run build:native`', () => {
    const { status, output } = install({ PATH: barePath(), GRU_NATIVE_BUILD_FROM_SOURCE: '1', INIT_CWD: root });
    expect(status).toBe(1);
    expect(count(output, 'npm run build:native')).toBe(1);
    expect(output).not.toContain('npm rebuild');
  });

  // The build tools are there; the OpenBLAS headers (and pkg-config's openblas.pc) are hidden by
  // mounting an empty folder over /usr/include in a private mount namespace.
  it.skipIf(!canHideIncludes)('with only OpenBLAS missing: names it once, with libopenblas-dev alone', () => {
    const empty = mkdtempSync(join(tmpdir(), 'gru-native-no-include-'));
    const script = `mount --bind "$0" /usr/include && exec "$1" "$2"`;
    const result = spawnSync('unshare', ['-rm', 'sh', '-c', script, empty, process.execPath, join(root, 'scripts', 'install.js')], {
      cwd: root, encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PKG_CONFIG_LIBDIR: empty, GRU_NATIVE_BUILD_FROM_SOURCE: '1', INIT_CWD: tmpdir() },
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status).toBe(1);
    expect(count(output, 'missing: the OpenBLAS headers.')).toBe(1);
    expect(count(output, 'apt-get install -y libopenblas-dev\n')).toBe(1);
    expect(count(output, 'libopenblas-dev')).toBe(1);
    expect(count(output, 'npm rebuild gru-native')).toBe(1);
  });

  it('GRU_NATIVE_SKIP_BUILD skips everything', () => {
    const { status, output } = install({ PATH: barePath(), GRU_NATIVE_SKIP_BUILD: '1' });
    expect(status).toBe(0);
    expect(output).toContain('GRU_NATIVE_SKIP_BUILD is set');
  });
});
