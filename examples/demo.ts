/**
 * The main demo: a GRU learns to forecast yearly sunspot activity (the embedded 1700-2008 data
 * set) from the previous 24 years, trained with plain SGD through autograd, then compared on the
 * held-out years with the naive "same as last year" forecast.
 *
 *   npm run demo                       # on the CPU
 *   npm run demo -- --device cuda      # on the GPU (cuDNN)
 */
import {
  GRU, Generator, Tensor, add, backends, datasets, losses, matmul, memory, noGrad, scope, type Device,
} from '../lib/index';

const WINDOW = 24;
const HIDDEN = 32;
const EPOCHS = 300;
const LEARNING_RATE = 0.2;
const SCALE = 100; // sunspot numbers are 0..~200; the net sees value / 100

function windows(values: Float32Array, from: number, to: number, device: Device): { x: Tensor; y: Tensor; last: Float32Array } {
  const count = to - from;
  const x = new Float32Array(WINDOW * count);
  const y = new Float32Array(count);
  const last = new Float32Array(count);
  for (let b = 0; b < count; b++) {
    for (let t = 0; t < WINDOW; t++) x[t * count + b] = values[from + b + t] / SCALE; // [seq, batch, 1]
    y[b] = values[from + b + WINDOW] / SCALE;
    last[b] = values[from + b + WINDOW - 1] / SCALE;
  }
  return { x: Tensor.from(x, [WINDOW, count, 1], { device }), y: Tensor.from(y, [count, 1], { device }), last };
}

function deviceArg(): Device {
  const at = process.argv.indexOf('--device');
  const value = at < 0 ? 'cpu' : process.argv[at + 1];
  if (value !== 'cpu' && value !== 'cuda') throw new Error(`--device must be cpu or cuda, got ${value}`);
  return value;
}

async function main(): Promise<void> {
  const device = deviceArg();
  const cuda = backends().find((b) => b.name === 'cuda')!;
  console.log(`gru-native demo on ${device} (cuda: ${cuda.available ? 'available' : cuda.reason})`);
  const { years, values } = datasets.sunspots();
  const split = years.indexOf(1950) - WINDOW; // train on forecasts up to 1949, test on 1950-2008
  const train = windows(values, 0, split, device);
  const test = windows(values, split, values.length - WINDOW, device);
  console.log(`sunspots ${years[0]}-${years[years.length - 1]}: ${train.y.shape[0]} training windows, ${test.y.shape[0]} test windows of ${WINDOW} years`);

  const generator = new Generator(2024);
  const gru = new GRU({ inputSize: 1, hiddenSize: HIDDEN, generator, device });
  const head = Tensor.randn([HIDDEN, 1], { std: 1 / Math.sqrt(HIDDEN), generator, device }).requiresGrad_();
  const headBias = Tensor.zeros([1], { device }).requiresGrad_();
  const parameters = [...gru.parameters(), head, headBias];

  // Inside scope(), every tensor made and not returned is disposed at the end; the tape keeps
  // what backward needs.
  const predict = (x: Tensor): Tensor => {
    const { hN } = gru.forward(x);
    return add(matmul(hN.reshape([hN.shape[1], HIDDEN]), head), headBias);
  };

  const started = Date.now();
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const loss = scope(() => {
      const l = losses.mse(predict(train.x), train.y);
      l.backward();
      noGrad(() => {
        for (const p of parameters) p.add_(p.grad!, -LEARNING_RATE);
        gru.zeroGrad();
        head.grad!.zero_();
        headBias.grad!.zero_();
      });
      return l;
    });
    if (epoch === 1 || epoch % 50 === 0) {
      const value = await loss.item(); // awaits the queued ops without blocking the event loop
      console.log(`epoch ${String(epoch).padStart(3)}  train rmse ${(Math.sqrt(value) * SCALE).toFixed(2)}`);
    }
    loss.dispose();
  }
  console.log(`trained ${EPOCHS} epochs in ${((Date.now() - started) / 1000).toFixed(2)} s`);

  const forecast = scope(() => noGrad(() => predict(test.x)));
  const predicted = await forecast.data();
  const actual = await test.y.data();
  let gruError = 0;
  let naiveError = 0;
  for (let i = 0; i < actual.length; i++) {
    gruError += (predicted[i] - actual[i]) ** 2;
    naiveError += (test.last[i] - actual[i]) ** 2;
  }
  const rmse = (e: number): string => (Math.sqrt(e / actual.length) * SCALE).toFixed(2);
  console.log(`held-out 1950-2008: GRU rmse ${rmse(gruError)}  vs  "same as last year" rmse ${rmse(naiveError)}`);
  for (const year of [1957, 1979, 1989, 2000, 2008]) {
    const i = year - 1950;
    console.log(`  ${year}: actual ${(actual[i] * SCALE).toFixed(1).padStart(6)}  GRU ${(predicted[i] * SCALE).toFixed(1).padStart(6)}`);
  }
  for (const t of [train.x, train.y, test.x, test.y, forecast, head, headBias]) {
    t.grad?.dispose();
    t.dispose();
  }
  gru.dispose();
  console.log(`live tensors after cleanup: ${memory().tensors}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
