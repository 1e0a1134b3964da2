/**
 * Text from a language model: after reading the prompt, each next token is drawn from
 * softmax(logits / temperature), optionally over the `topK` likeliest tokens alone, with a
 * seeded generator of its own (so sampling never moves the training generator).
 */
import { checkFiniteNumber, checkInteger, checkOptions } from '../arguments';
import { noGrad } from '../autograd/grad-mode';
import { ArgumentError } from '../errors';
import { softmax } from '../ops/softmax';
import { scope } from '../scope';
import { Tensor } from '../tensor';
import { mulberry32 } from '../train/shuffle';
import type { Module } from '../nn/module';

/** A model of token ids [batch, steps] to logits [batch, steps, vocabulary] with a carried hidden state (LanguageModel, or a user's Module). */
export interface TokenModel extends Module {
  forward(ids: Tensor, hidden?: Tensor): { logits: Tensor; hidden: Tensor };
}

export interface SampleOptions {
  /** Tokens to write (default 200). */
  length?: number;
  /** > 0; below 1 sharper, above 1 flatter (default 0.8). */
  temperature?: number;
  /** Draw from the k likeliest tokens only (default 0: all). */
  topK?: number;
  seed?: number;
}

const SAMPLE_KEYS = ['length', 'temperature', 'topK', 'seed'];

/** Index drawn from the weights `p` (summing to about 1) by a uniform `u` in [0, 1). */
function draw(p: Float32Array | Float64Array, u: number, topK: number): number {
  let order = Array.from(p.keys());
  if (topK > 0 && topK < p.length) order = order.sort((a, b) => p[b] - p[a]).slice(0, topK);
  let total = 0;
  for (const i of order) total += p[i];
  let left = u * total;
  for (const i of order) if ((left -= p[i]) < 0) return i;
  return order[order.length - 1];
}

/** `length` token ids following `prompt` (ids, at least one). */
export async function sampleTokens(model: TokenModel, prompt: ArrayLike<number>, options?: SampleOptions): Promise<number[]> {
  const o = checkOptions(options, SAMPLE_KEYS, 'sampleTokens options');
  const length = checkInteger(o.length ?? 200, 'sampleTokens: length', 0);
  const temperature = checkFiniteNumber(o.temperature ?? 0.8, 'sampleTokens: temperature');
  if (temperature <= 0) throw new ArgumentError(`sampleTokens: temperature must be > 0, got ${temperature}`);
  const topK = checkInteger(o.topK ?? 0, 'sampleTokens: topK', 0);
  const next = mulberry32(checkInteger(o.seed ?? 1, 'sampleTokens: seed', 0, 2 ** 32 - 1));
  if (prompt.length === 0) throw new ArgumentError('sampleTokens: prompt must hold at least one token id');
  const device = model.parameters()[0]?.device ?? 'cpu';
  const wasTraining = model.training;
  model.eval();
  const out: number[] = [];
  let hidden: Tensor | undefined;
  let input = Int32Array.from(prompt);
  try {
    for (let i = 0; i < length; i++) {
      const { probabilities, state } = scope(() => noGrad(() => {
        const { logits, hidden: h } = model.forward(Tensor.from(input, [1, input.length], { dtype: 'int32', device }), hidden);
        const last = logits.narrow(1, input.length - 1, 1).reshape([-1]);
        return { probabilities: softmax(last.div(temperature), 0), state: h };
      }));
      hidden?.dispose();
      hidden = state;
      const p = await probabilities.data();
      probabilities.dispose();
      const token = draw(p as Float32Array, next(), topK);
      out.push(token);
      input = Int32Array.of(token);
    }
  } finally {
    hidden?.dispose();
    model.train(wasTraining);
  }
  return out;
}
