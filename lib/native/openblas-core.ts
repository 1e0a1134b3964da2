/**
 * Note [OpenBLAS kernel choice]
 * A DYNAMIC_ARCH OpenBLAS (Debian's, 0.3.21 in bookworm) picks its kernels from the CPU model
 * when it loads, and a model it does not know falls back to 'Prescott' (SSE3 kernels): on an
 * Emerald Rapids Xeon (family 6, model 207) sgemm then runs at 27 instead of about 125 GFLOP/s
 * and the GRU 3.5x slower. It honours OPENBLAS_CORETYPE, read once at load, so before the addon
 * (and with it OpenBLAS) loads we name the kernel family that the CPU's features support, unless
 * the user has set OPENBLAS_CORETYPE. The names are the ones OpenBLAS itself picks for known
 * models with those features, so a CPU it recognises gets the same kernels as before.
 */
import { readFileSync } from 'node:fs';

/** A field of /proc/cpuinfo text (its first processor's), or '' where absent. */
export function cpuinfoField(cpuinfo: string, name: string): string {
  const match = new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo);
  return match ? match[1].trim() : '';
}

const AVX512_SKYLAKEX = ['avx512f', 'avx512cd', 'avx512bw', 'avx512dq', 'avx512vl'];

/** The OPENBLAS_CORETYPE for a CPU described by /proc/cpuinfo text, or null to leave the choice to OpenBLAS. */
export function openblasCoreFor(cpuinfo: string): string | null {
  const flags = new Set(cpuinfoField(cpuinfo, 'flags').split(/\s+/));
  if (!flags.has('avx2') || !flags.has('fma')) return null; // older CPUs: OpenBLAS knows them
  const vendor = cpuinfoField(cpuinfo, 'vendor_id');
  const avx512 = AVX512_SKYLAKEX.every((flag) => flags.has(flag));
  // OpenBLAS knows AMD families 17h and 19h by family alone, so only later families (Zen 5 is
  // 1Ah) are named: what it picks for a 19h with the same features. 'Zen' alone would run Zen 5's
  // float32 products at half speed (Haswell's AVX2 kernels: 102 GFLOP/s against Cooperlake's 196).
  if (vendor === 'AuthenticAMD') {
    if (Number(cpuinfoField(cpuinfo, 'cpu family')) < 0x1a) return null;
    return avx512 ? (flags.has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX') : 'Zen';
  }
  if (vendor !== 'GenuineIntel') return null;
  if (avx512) return flags.has('avx512_bf16') ? 'Cooperlake' : 'SkylakeX';
  return 'Haswell';
}

/**
 * The OPENBLAS_CORETYPE for this machine's CPU (null: OpenBLAS's own choice), or undefined where
 * the choice does not apply: not x86-64 Linux, or /proc/cpuinfo unreadable.
 */
export function openblasCoreForThisCpu(): string | null | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  try {
    return openblasCoreFor(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Sets OPENBLAS_CORETYPE for this process (and its children) when it is unset; returns what it set. */
export function applyOpenblasCoreDefault(): string | null {
  if (process.env.OPENBLAS_CORETYPE !== undefined) return null;
  const core = openblasCoreForThisCpu() ?? null;
  if (core !== null) process.env.OPENBLAS_CORETYPE = core;
  return core;
}
