import { execFileSync, spawnSync } from 'node:child_process';
import { join, sep } from 'node:path';

import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const addon = process.env.GRU_NATIVE_ADDON ?? join(root, 'build', 'Release', 'gru_native.node');

function runNode(code: string, env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, env, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('loading the addon', () => {
  it('links no CUDA library: cuDNN, cuBLAS, the runtime and the driver are opened at run time', () => {
    const libs = execFileSync('ldd', [addon], { encoding: 'utf8' });
    expect(libs).not.toMatch(/libcuda|libcudart|libcudnn|libcublas|libnvrtc/);
    // A local build links the system's OpenBLAS; the prebuilt carries it (and libstdc++) inside.
    if (addon.includes(`${sep}prebuilds${sep}`)) expect(libs).not.toMatch(/libopenblas|libgfortran|libstdc\+\+/);
    else expect(libs).toMatch(/libopenblas/);
  });

  it('loads and computes on a machine with no CUDA libraries on the library path', () => {
    const env = { ...process.env, LD_LIBRARY_PATH: '', CUDA_VISIBLE_DEVICES: '' };
    const out = runNode(
      "const g = require('./lib/index'); const t = g.Tensor.ones([3]); " +
        "console.log(JSON.stringify({ sum: Array.from(t.dataSync()).reduce((a, b) => a + b), cuda: g.backends()[1] }));",
      env,
    );
    expect(out.stderr).not.toMatch(/Error/);
    expect(out.status).toBe(0);
    const result = JSON.parse(out.stdout.trim().split('\n').pop()!);
    expect(result.sum).toBe(3);
    expect(result.cuda.available).toBe(false);
    expect(result.cuda.reason.length).toBeGreaterThan(10);
  });

  it('explains what it tried and how to fix it when the addon is missing', () => {
    const out = runNode("require('./lib/index')", { ...process.env, GRU_NATIVE_ADDON: '/nonexistent/gru_native.node' });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('the native addon could not be loaded');
    expect(out.stderr).toContain('/nonexistent/gru_native.node: not found');
    expect(out.stderr).toContain('libopenblas-dev');
  });
});
