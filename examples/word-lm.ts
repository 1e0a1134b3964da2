/**
 * Tutorial 5 in the PyTorch face: Embedding -> 2-layer GRU -> Linear over the vocabulary, the
 * model of the tutorial (vocabulary 10,000, embedding 300, hidden 512), trained on Moby-Dick with
 * cross-entropy, truncated BPTT (the hidden state carried across batches, detached), gradient
 * clipping, Adam, the learning rate reduced on plateau of the held-out perplexity, a checkpoint
 * each epoch; then it writes text, sampling with a temperature. `--level char` (and `--quick`)
 * is a character model small enough for a laptop's minutes.
 *
 *   npx tsx examples/word-lm.ts [--level char] [--device cuda] [--quick] [--out DIR]
 */
import { join } from 'node:path';

import {
  Embedding, GRU, Linear, Module, Tensor, clipGradNorm, datasets, losses, noGrad, optim, saveCheckpoint, scope, type Device,
} from '../lib/index';
import { curvesPlot } from '../lib/plots/svg-charts';
import { streams, window, windowStarts, type Streams } from '../lib/text/bptt';
import { buildCorpus, detokenize, tokenize } from '../lib/text/corpus';
import { sampleTokens } from '../lib/text/sample-text';
import { begin, finish, runIfMain, type ExampleOptions } from './lib/example';

interface Sizes {
  vocabulary: number;
  embedding: number;
  hidden: number;
  layers: number;
  batch: number;
  seq: number;
  epochs: number;
  /** Tokens of the book used (0: all). */
  tokens: number;
}

const SIZES: Record<'full' | 'char' | 'quick', Sizes> = {
  full: { vocabulary: 10000, embedding: 300, hidden: 512, layers: 2, batch: 20, seq: 35, epochs: 3, tokens: 0 },
  char: { vocabulary: 64, embedding: 32, hidden: 256, layers: 2, batch: 32, seq: 100, epochs: 2, tokens: 400_000 },
  quick: { vocabulary: 48, embedding: 16, hidden: 64, layers: 1, batch: 8, seq: 32, epochs: 4, tokens: 12_000 },
};

class LanguageModel extends Module {
  embedding: Embedding;
  gru: GRU;
  fc: Linear;
  constructor(s: Sizes, device: Device) {
    super();
    this.embedding = new Embedding({ numEmbeddings: s.vocabulary, embeddingDim: s.embedding, device });
    this.gru = new GRU({ inputSize: s.embedding, hiddenSize: s.hidden, numLayers: s.layers, dropout: s.layers > 1 ? 0.2 : 0, batchFirst: true, device });
    this.fc = new Linear({ inFeatures: s.hidden, outFeatures: s.vocabulary, device });
  }
  forward(x: Tensor, hidden?: Tensor) {
    const { output, hN } = this.gru.forward(this.embedding.forward(x), { h0: hidden });
    return { logits: this.fc.forward(output), hidden: hN };
  }
}

/** Mean cross-entropy over one pass of the held-out streams (no gradients). */
async function evaluate(model: LanguageModel, held: Streams, s: Sizes, device: Device): Promise<number> {
  model.eval();
  let hidden: Tensor | undefined, total = 0, count = 0;
  for (const start of windowStarts(held, s.seq)) {
    const { x, y, steps } = window(held, start, s.seq, device);
    const { loss, next } = scope(() => noGrad(() => {
      const { logits, hidden: h } = model.forward(x, hidden);
      return { loss: losses.crossEntropy(logits.reshape([-1, s.vocabulary]), y.reshape([-1])), next: h };
    }));
    hidden?.dispose();
    hidden = next;
    total += (await loss.item()) * steps;
    count += steps;
    for (const t of [x, y, loss]) t.dispose();
  }
  hidden?.dispose();
  model.train();
  return total / count;
}

export async function wordLm(o: ExampleOptions): Promise<{ perplexities: number[]; text: string }> {
  const level = o.level ?? (o.quick ? 'char' : 'word');
  const s = SIZES[o.quick ? 'quick' : level === 'char' ? 'char' : 'full'];
  begin('word-lm', o);
  const tokens = tokenize(datasets.mobyDick(), level);
  const corpus = buildCorpus(s.tokens > 0 ? tokens.slice(0, s.tokens) : tokens, s.vocabulary, level);
  const split = Math.floor(corpus.ids.length * 0.9);
  const train = streams(corpus.ids.subarray(0, split), s.batch), heldOut = streams(corpus.ids.subarray(split), s.batch);
  const model = new LanguageModel(s, o.device);
  const optimizer = new optim.Adam(model.parameters(), { lr: o.quick ? 0.01 : 0.002 });
  const scheduler = new optim.ReduceLROnPlateau(optimizer, { factor: 0.5, patience: 0 });
  const perplexities = [Math.exp(await evaluate(model, heldOut, s, o.device))];
  if (o.verbose > 0) console.log(`${corpus.ids.length} ${level} tokens, vocabulary ${corpus.vocabulary.length}; held-out perplexity before training ${perplexities[0].toFixed(1)}`);
  for (let epoch = 0; epoch < s.epochs; epoch++) {
    let hidden: Tensor | undefined;
    for (const start of windowStarts(train, s.seq)) {
      const { x, y } = window(train, start, s.seq, o.device);
      const { loss, next } = scope(() => {
        const { logits, hidden: h } = model.forward(x, hidden);
        const l = losses.crossEntropy(logits.reshape([-1, s.vocabulary]), y.reshape([-1]));
        l.backward();
        // Truncated BPTT: the next window starts from this state, off the tape.
        return { loss: l, next: h.detach() };
      });
      hidden?.dispose();
      hidden = next;
      clipGradNorm(model.parameters(), 0.25).dispose();
      optimizer.step();
      optimizer.zeroGrad();
      for (const t of [x, y, loss]) t.dispose();
    }
    hidden?.dispose();
    const validation = await evaluate(model, heldOut, s, o.device);
    scheduler.step(validation);
    perplexities.push(Math.exp(validation));
    saveCheckpoint(join(o.out, 'checkpoint.safetensors'), { model, optimizer, scheduler, extra: { epoch: epoch + 1, vocabulary: corpus.vocabulary, level } });
    if (o.verbose > 0) console.log(`epoch ${epoch + 1}/${s.epochs}: held-out perplexity ${perplexities.at(-1)!.toFixed(1)}, lr ${optimizer.paramGroups[0].lr}`);
  }
  const prompt = Array.from(corpus.ids.subarray(0, 8));
  const generated = await sampleTokens(model, prompt, { length: o.quick ? 80 : 60, temperature: 0.8, seed: o.seed });
  const text = detokenize([...prompt, ...generated].map((id) => corpus.vocabulary[id]), level);
  if (o.verbose > 0) console.log(`sample (temperature 0.8): ${text}`);
  await curvesPlot({ 'held-out perplexity': perplexities }, 'language model: held-out perplexity (epoch 1 = before training)', 'perplexity', join(o.out, 'perplexity.svg'));
  finish(o, { example: 'word-lm', device: o.device, level, perplexities, sample: text });
  optimizer.dispose();
  model.dispose();
  return { perplexities, text };
}

runIfMain(module, 'word-lm', wordLm);
