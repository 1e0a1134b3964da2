/**
 * `gru-native train`: a language model of a text file (`--level char|word`), or a forecaster of
 * one column of a CSV file (`--column`, `--window`, `--horizon`), with a progress bar, a
 * checkpoint, the log and plots in `--out`. Ctrl-C stops after the current batch and writes a
 * checkpoint; `--resume` continues from the one in `--out`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { trainSeriesModel } from '../../series/train-series';
import { readCsvColumn } from '../../series/csv-column';
import { trainTextModel } from '../../text/train-text';
import { CHECKPOINT_FILE } from '../../train/run-checkpoint';
import { UsageError, defineCommand, givenOptions, parseCommand } from '../args';
import { stopOnInterrupt } from '../interrupt';
import { lossSparkline, prepareOutput, writeLog, writePlots } from '../run-output';

const TEXT_ONLY = ['level', 'vocabulary', 'embedding', 'seq', 'dropout'] as const;
const SERIES_ONLY = ['column', 'window', 'horizon'] as const;

const SPEC = defineCommand({
  name: 'train',
  summary: 'Trains a GRU language model on a text file, or a GRU forecaster on a column of a CSV file.',
  options: {
    data: { kind: 'string', help: 'the text file, or the CSV file (.csv, or with --column)', placeholder: 'FILE' },
    level: { kind: 'choice', choices: ['char', 'word'], help: 'text: tokens are characters or words (default char)' },
    vocabulary: { kind: 'integer', min: 2, help: 'text: most tokens kept, <unk> included (default char 256, word 10000)' },
    embedding: { kind: 'integer', min: 1, help: 'text: embedding width (default char 32, word 300)' },
    seq: { kind: 'integer', min: 1, help: 'text: BPTT length, tokens per window (default char 100, word 35)' },
    dropout: { kind: 'number', min: 0, help: 'text: dropout between GRU layers (default 0.2)' },
    column: { kind: 'string', help: 'CSV: the column, by header name or 1-based position', placeholder: 'NAME|N' },
    window: { kind: 'integer', min: 1, help: 'CSV: past values per forecast (default 24)' },
    horizon: { kind: 'integer', min: 1, help: 'CSV: steps ahead forecast (default 1)' },
    hidden: { kind: 'integer', min: 1, help: 'GRU hidden size (default text char 256, word 512; CSV 32)' },
    layers: { kind: 'integer', min: 1, help: 'GRU layers (default text 2, CSV 1)' },
    epochs: { kind: 'integer', min: 1, help: 'epochs in all, counting those of a resumed run (default text 2, CSV 100)' },
    batch: { kind: 'integer', min: 1, help: 'batch size (default 32)' },
    lr: { kind: 'number', min: 0, exclusiveMin: true, help: 'Adam learning rate (default text 0.002, CSV 0.005)' },
    clip: { kind: 'number', min: 0, help: 'largest gradient norm, 0 for none (default text 0.25, CSV 1)' },
    'held-out': { kind: 'number', min: 0, help: 'share held out for validation (default text 0.1, CSV 0.2)' },
    device: { kind: 'choice', choices: ['cpu', 'cuda'], default: 'cpu', help: 'where to train' },
    seed: { kind: 'integer', help: 'seed of initialisation, dropout and shuffling (default 1)' },
    out: { kind: 'string', default: join('out', 'train'), help: 'folder for the checkpoint, log.jsonl and plots', placeholder: 'DIR' },
    resume: { kind: 'flag', help: "continue the run whose checkpoint is in --out (give the same --data; --epochs may be raised)" },
  },
  epilogue: [
    'examples:',
    '  gru-native train --data book.txt --level char --hidden 256 --epochs 4 --out out/book',
    '  gru-native train --data book.txt --out out/book --resume --epochs 6',
    '  gru-native train --data prices.csv --column close --window 30 --horizon 1 --out out/prices',
    '',
    'Ctrl-C stops after the current batch and writes a checkpoint that --resume continues from.',
  ].join('\n'),
});

export async function train(argv: string[]): Promise<number> {
  const v = parseCommand(SPEC, argv);
  if (!v) return 0;
  if (v.data === undefined) throw new UsageError('--data FILE is required');
  if (!existsSync(v.data)) throw new UsageError(`--data: no file ${v.data}`);
  const csv = v.column !== undefined || v.data.toLowerCase().endsWith('.csv');
  const wrong = givenOptions(argv, csv ? TEXT_ONLY : SERIES_ONLY);
  if (wrong.length > 0) throw new UsageError(`--${wrong[0]} is for ${csv ? 'text' : 'CSV'} data; ${v.data} is trained as ${csv ? 'a CSV series' : 'text'}`);
  if (csv && v.column === undefined) throw new UsageError('--column is required for CSV data (a header name or a 1-based position)');
  const checkpoint = join(v.out, CHECKPOINT_FILE);
  if (v.resume && !existsSync(checkpoint)) throw new UsageError(`--resume: no checkpoint at ${checkpoint} (train with --out ${v.out} first)`);
  if (!v.resume && existsSync(checkpoint)) console.log(`(${checkpoint} exists and will be replaced; use --resume to continue it)`);
  prepareOutput(v.out);

  const interrupt = stopOnInterrupt();
  const batchLosses: number[] = [];
  const common = {
    resumeFrom: v.resume ? checkpoint : undefined, checkpoint, hidden: v.hidden, layers: v.layers, epochs: v.epochs, batch: v.batch, lr: v.lr, clip: v.clip,
    heldOut: v['held-out'], seed: v.seed, device: v.device, verbose: 1 as const, signal: interrupt.signal,
    onBatchEnd: (_step: number, loss: number) => batchLosses.push(loss),
  };
  let stopped: boolean, step: number;
  try {
    if (csv) {
      const column = readCsvColumn(v.data, v.column!);
      console.log(`${v.data}: column '${column.name}', ${column.values.length} values${v.resume ? `; resuming ${checkpoint}` : ''}`);
      const r = await trainSeriesModel({ ...common, values: column.values, name: column.name, window: v.window, horizon: v.horizon });
      ({ stopped, step } = r);
      writeLog(v.out, r.history);
      const last = r.history.at(-1);
      if (last && Number.isFinite(last.valRmse)) console.log(`held-out rmse ${last.valRmse.toPrecision(4)} against ${last.naiveRmse.toPrecision(4)} for "same as the last value"`);
      await plotsOf(v.out, { loss: r.history.map((h) => h.loss), val_loss: r.history.map((h) => h.valLoss) }, 'mean squared error (standardised)');
      r.model.dispose();
    } else {
      const text = readFileSync(v.data, 'utf8');
      if (v.resume) console.log(`resuming ${checkpoint}`);
      const r = await trainTextModel({ ...common, text, level: v.level, vocabulary: v.vocabulary, embedding: v.embedding, seq: v.seq, dropout: v.dropout });
      ({ stopped, step } = r);
      writeLog(v.out, r.history);
      await plotsOf(v.out, { loss: r.history.map((h) => h.loss), val_loss: r.history.map((h) => h.valLoss) }, 'cross-entropy per token (nats)',
        { perplexity: r.history.map((h) => h.perplexity), val_perplexity: r.history.map((h) => h.valPerplexity) });
      r.model.dispose();
    }
  } finally {
    interrupt.release();
  }
  console.log(lossSparkline(batchLosses));
  if (stopped) {
    console.log(`stopped at step ${step}; checkpoint ${checkpoint}. Continue with: gru-native train --data ${v.data} --out ${v.out} --resume`);
    return 130;
  }
  console.log(`done at step ${step}; checkpoint ${checkpoint}, log ${join(v.out, 'log.jsonl')}. Try: gru-native sample --checkpoint ${v.out}`);
  return 0;
}

async function plotsOf(out: string, loss: Record<string, number[]>, yTitle: string, perplexity?: Record<string, number[]>): Promise<void> {
  const written = await writePlots(out, [
    { file: 'loss.svg', title: 'training and held-out loss by epoch', yTitle, series: loss },
    ...(perplexity ? [{ file: 'perplexity.svg', title: 'perplexity by epoch', yTitle: 'perplexity', series: perplexity }] : []),
  ]);
  if (written.length > 0) console.log(`plots: ${written.join(', ')}`);
}
