/**
 * The benchmarks' OpenBLAS kernels. Our addon (for small products and float64) and the peers
 * (torch for all of its products) share Debian's OpenBLAS, which honours OPENBLAS_CORETYPE. One
 * inherited from the environment can hand every library slower kernels than the CPU runs (a
 * sandbox that sets Haswell on an AVX-512 Zen 5 halves OpenBLAS's float32 speed, and torch's), so
 * a benchmark runs every process on the kernels the CPU supports (Note [OpenBLAS kernel choice])
 * and says so when that overrides the environment.
 */
import { openblasCoreForThisCpu } from '../../lib/native/openblas-core';

/** Sets OPENBLAS_CORETYPE for the child processes that do the timing (and their peers). */
export function pinOpenblasCore(): void {
  const core = openblasCoreForThisCpu();  // null: OpenBLAS knows this CPU and picks itself
  if (core === undefined) return;
  const inherited = process.env.OPENBLAS_CORETYPE;
  if (core === null) delete process.env.OPENBLAS_CORETYPE;
  else process.env.OPENBLAS_CORETYPE = core;
  if (inherited !== undefined && inherited !== core) {
    console.log(`OPENBLAS_CORETYPE=${inherited} in the environment; every process of this benchmark runs ${core ?? "OpenBLAS's own choice"} instead, the kernels this CPU supports`);
  }
}
