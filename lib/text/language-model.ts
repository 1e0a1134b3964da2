/**
 * The language model of the PyTorch word-language-model tutorial: Embedding -> a stack of GRU
 * layers (batch first) -> Linear over the vocabulary, built from a JSON config so that a
 * checkpoint can rebuild it.
 */
import { checkFiniteNumber, checkInteger, checkOptions } from '../arguments';
import type { Device } from '../dtype';
import { ArgumentError } from '../errors';
import { Embedding } from '../nn/embedding';
import { GRU } from '../nn/gru';
import { Linear } from '../nn/linear';
import { Module } from '../nn/module';
import type { Tensor } from '../tensor';

export interface LanguageModelConfig {
  /** Vocabulary size (the embedding's rows and the output's width). */
  vocabulary: number;
  embedding: number;
  hidden: number;
  layers: number;
  /** Dropout between GRU layers (PyTorch's GRU dropout; 0 with one layer). */
  dropout: number;
}

const CONFIG_KEYS = ['vocabulary', 'embedding', 'hidden', 'layers', 'dropout'];

export function checkLanguageModelConfig(config: LanguageModelConfig, where: string): LanguageModelConfig {
  checkOptions(config, CONFIG_KEYS, where);
  for (const key of ['vocabulary', 'embedding', 'hidden', 'layers'] as const) checkInteger(config[key], `${where}: ${key}`, 1);
  const dropout = checkFiniteNumber(config.dropout, `${where}: dropout`);
  if (dropout < 0 || dropout >= 1) throw new ArgumentError(`${where}: dropout must be in [0, 1), got ${dropout}`);
  return { vocabulary: config.vocabulary, embedding: config.embedding, hidden: config.hidden, layers: config.layers, dropout };
}

export class LanguageModel extends Module {
  readonly config: LanguageModelConfig;
  embedding: Embedding;
  gru: GRU;
  fc: Linear;

  constructor(config: LanguageModelConfig, device: Device = 'cpu') {
    super();
    this.config = checkLanguageModelConfig(config, 'LanguageModel config');
    const c = this.config;
    this.embedding = new Embedding({ numEmbeddings: c.vocabulary, embeddingDim: c.embedding, device });
    this.gru = new GRU({ inputSize: c.embedding, hiddenSize: c.hidden, numLayers: c.layers, dropout: c.layers > 1 ? c.dropout : 0, batchFirst: true, device });
    this.fc = new Linear({ inFeatures: c.hidden, outFeatures: c.vocabulary, device });
  }

  /** Logits [batch, steps, vocabulary] for int32 ids [batch, steps], and the final hidden state. */
  forward(ids: Tensor, hidden?: Tensor): { logits: Tensor; hidden: Tensor } {
    const { output, hN } = this.gru.forward(this.embedding.forward(ids), { h0: hidden });
    return { logits: this.fc.forward(output), hidden: hN };
  }
}
