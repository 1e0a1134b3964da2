/**
 * The smallest real thing gru-native does today (the GRU training demo arrives with the GRU
 * layer): it lists the backends, draws seeded random tensors on the CPU stream and reads them
 * back without blocking the event loop.
 */
import { Tensor, backends, manualSeed, memory } from '../lib/index';

async function main(): Promise<void> {
  console.log('gru-native demo: backends');
  for (const b of backends()) {
    console.log(`  ${b.name.padEnd(5)} ${b.available ? 'available' : 'unavailable'}  ${b.available ? JSON.stringify(b.version) : b.reason}`);
  }
  manualSeed(42);
  const x = Tensor.randn([4, 3]);
  const values = await x.data();
  console.log('a seeded 4x3 normal draw, read asynchronously:');
  console.log((await x.toArray()) as number[][]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`mean ${mean.toFixed(4)}; live tensors ${memory().tensors}`);
  x.dispose();
  console.log(`after dispose: live tensors ${memory().tensors}, host bytes ${memory().hostBytes}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
