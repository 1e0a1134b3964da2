/** `gru-native info`: the package and Node versions, the addon file and its kernels, OpenBLAS and its threads, CUDA devices or why there are none. */
import { backends } from '../../backends';
import { defineCommand, parseCommand } from '../args';
import { packageVersion } from '../package-version';

const SPEC = defineCommand({
  name: 'info',
  summary: 'Versions, the loaded addon and its kernels, OpenBLAS threads, CUDA devices.',
  options: { json: { kind: 'flag', help: 'print it as JSON' } },
});

export function info(argv: string[]): number {
  const values = parseCommand(SPEC, argv);
  if (!values) return 0;
  const all = backends();
  const report = { gruNative: packageVersion(), node: process.version, platform: `${process.platform}-${process.arch}`, backends: all };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  const cpu = all.find((b) => b.name === 'cpu')!, cuda = all.find((b) => b.name === 'cuda')!;
  console.log([
    `gru-native ${report.gruNative} on Node ${report.node} (${report.platform})`,
    `addon:  ${cpu.binary?.path ?? 'unknown'}${cpu.binary?.prebuilt ? ' (prebuilt)' : ''}`,
    `cpu:    ${cpu.version?.openblas ?? 'OpenBLAS'}; ${cpu.threads} threads; GRU kernels ${cpu.kernels?.gru ?? '?'}, OpenBLAS kernels ${cpu.kernels?.openblas ?? '?'}`,
    cuda.available
      ? `cuda:   ${(cuda.devices ?? []).map((d) => JSON.stringify(d)).join(', ')}; ${JSON.stringify(cuda.version)}`
      : `cuda:   unavailable: ${cuda.reason}`,
  ].join('\n'));
  return 0;
}
