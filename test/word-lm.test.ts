/**
 * End to end: the PyTorch-face word language model (Embedding -> 2-layer GRU -> Linear) at a
 * reduced size learns a generated corpus with truncated BPTT (hidden state carried across
 * batches), cross-entropy, clipGradNorm and Adam; and a seeded CPU run repeats bit for bit.
 */
import { describe, expect, it } from 'vitest';

import { Embedding, GRU, Linear, Module, Tensor, backends, clipGradNorm, losses, manualSeed, memory, optim, scope, type Device } from '../lib/index';

const cuda = backends().find((b) => b.name === 'cuda')!;

const VOCAB = 24;

class WordLM extends Module {
  embedding = new Embedding({ numEmbeddings: VOCAB, embeddingDim: 12 });
  gru = new GRU({ inputSize: 12, hiddenSize: 32, numLayers: 2 });
  fc = new Linear({ inFeatures: 32, outFeatures: VOCAB });
  forward(x: Tensor, h0?: Tensor) {
    const { output, hN } = this.gru.forward(this.embedding.forward(x), { h0 });
    return { logits: this.fc.forward(output), hN };
  }
}

/** A corpus with structure to learn: each word mostly determines the next (a noisy cycle). */
function corpus(length: number): Int32Array {
  const words = new Int32Array(length);
  let state = 12345;
  for (let i = 1; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    words[i] = (state >>> 16) % 10 === 0 ? (state >>> 8) % VOCAB : (words[i - 1] * 5 + 3) % VOCAB;
  }
  return words;
}

/** Trains `steps` batches of [seq, batch]; returns each batch's loss and the final weights. */
function train(seed: number, steps: number, device: Device = 'cpu'): { losses: number[]; weights: number[] } {
  manualSeed(seed);
  const seq = 12, batch = 4;
  const words = corpus(seq * batch * steps + 1);
  const model = new WordLM().to(device);
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  let hidden: Tensor | undefined;
  const recorded: number[] = [];
  for (let step = 0; step < steps; step++) {
    // Batch b reads its own stretch of the corpus, so the carried state continues that stretch.
    const x = new Int32Array(seq * batch), y = new Int32Array(seq * batch);
    for (let t = 0; t < seq; t++) {
      for (let b = 0; b < batch; b++) {
        const at = b * seq * steps + step * seq + t;
        x[t * batch + b] = words[at];
        y[t * batch + b] = words[at + 1];
      }
    }
    const { loss, next } = scope(() => {
      const { logits, hN } = model.forward(Tensor.from(x, [seq, batch], { dtype: 'int32', device }), hidden);
      const l = losses.crossEntropy(logits.reshape([-1, VOCAB]), Tensor.from(y, [seq * batch], { dtype: 'int32', device }));
      l.backward();
      return { loss: l, next: hN.detach() };
    });
    hidden?.dispose();
    hidden = next;
    clipGradNorm(model.parameters(), 0.5).dispose();
    optimizer.step();
    optimizer.zeroGrad();
    recorded.push(loss.itemSync());
    loss.dispose();
  }
  const weights = model.parameters().flatMap((p) => { const host = p.to('cpu'); const values = Array.from(host.dataSync()); host.dispose(); return values; });
  hidden?.dispose();
  optimizer.dispose();
  model.dispose();
  return { losses: recorded, weights };
}

describe('word language model, PyTorch face', () => {
  it('learns the corpus: perplexity falls at least 4x within 120 batches', () => {
    const before = memory().tensors;
    const { losses: seen } = train(1, 120);
    const perplexity = (from: number, to: number) => Math.exp(seen.slice(from, to).reduce((a, b) => a + b, 0) / (to - from));
    const start = perplexity(0, 5), end = perplexity(110, 120);
    expect(start).toBeGreaterThan(VOCAB * 0.7);  // about uniform at first
    expect(start / end).toBeGreaterThan(4);
    expect(memory().tensors).toBe(before);
  });

  it.skipIf(!cuda.available)('learns on cuda as on the cpu (test/gpu/run.sh)', () => {
    const { losses: seen } = train(1, 120, 'cuda');
    const mean = (from: number, to: number) => seen.slice(from, to).reduce((a, b) => a + b, 0) / (to - from);
    expect(Math.exp(mean(0, 5)) / Math.exp(mean(110, 120))).toBeGreaterThan(4);
  });

  it('a seeded CPU run repeats bit for bit', () => {
    const a = train(7, 15), b = train(7, 15);
    expect(b.losses).toEqual(a.losses);
    expect(b.weights).toEqual(a.weights);
    expect(train(8, 15).losses).not.toEqual(a.losses);
  });
});
