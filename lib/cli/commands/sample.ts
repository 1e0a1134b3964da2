/**
 * `gru-native sample`: text from a language-model checkpoint (after a prompt, with a temperature
 * and top-k), or a forecast past the end of the series of a forecaster's checkpoint.
 */
import { existsSync } from 'node:fs';

import { ArgumentError } from '../../errors';
import { Generator } from '../../random';
import { forecastSeries } from '../../series/forecast';
import { SERIES_RUN, type SeriesRunState } from '../../series/series-checkpoint';
import { SeriesModel } from '../../series/series-model';
import { detokenize, encode, tokenize, UNKNOWN } from '../../text/corpus';
import { LanguageModel } from '../../text/language-model';
import { sampleTokens } from '../../text/sample-text';
import { TEXT_RUN, type TextRunState } from '../../text/text-checkpoint';
import { checkRunState, checkpointPath } from '../../train/run-checkpoint';
import { restoreCheckpoint } from '../../weights/checkpoint';
import { UsageError, defineCommand, parseCommand } from '../args';

const SPEC = defineCommand({
  name: 'sample',
  summary: 'Writes text with a trained language model, or forecasts with a trained series model.',
  options: {
    checkpoint: { kind: 'string', help: 'the checkpoint file, or the --out folder of gru-native train', placeholder: 'FILE|DIR' },
    prompt: { kind: 'string', help: 'text: what the model reads first (default: a space for char, "the" for word)', placeholder: 'TEXT' },
    length: { kind: 'integer', min: 1, help: 'tokens to write (default char 300, word 60), or values to forecast (default 1)' },
    temperature: { kind: 'number', min: 0, exclusiveMin: true, default: 0.8, help: 'text: below 1 safer, above 1 wilder' },
    'top-k': { kind: 'integer', default: 0, help: 'text: draw from the k likeliest tokens only, 0 for all' },
    seed: { kind: 'integer', default: 1, help: 'seed of the draws' },
    device: { kind: 'choice', choices: ['cpu', 'cuda'], default: 'cpu', help: 'where to run the model' },
  },
  epilogue: 'example:\n  gru-native sample --checkpoint out/demo --prompt "The whale" --length 400 --temperature 0.7',
});

type Loaded = { kind: 'text'; model: LanguageModel; state: TextRunState } | { kind: 'series'; model: SeriesModel; state: SeriesRunState };

function load(file: string, device: 'cpu' | 'cuda'): Loaded {
  let loaded: Loaded | undefined;
  try {
    restoreCheckpoint(file, (extra) => {
      if (extra.kind === TEXT_RUN.kind) {
        const state = checkRunState<TextRunState>(extra, TEXT_RUN, file);
        loaded = { kind: 'text', model: new LanguageModel(state.model, device), state };
      } else if (extra.kind === SERIES_RUN.kind) {
        const state = checkRunState<SeriesRunState>(extra, SERIES_RUN, file);
        loaded = { kind: 'series', model: new SeriesModel(state.model, device), state };
      } else {
        throw new ArgumentError(`${file} is a checkpoint, but not one gru-native train wrote (no language-model or series state in it)`);
      }
      return { model: loaded.model, generator: new Generator() };
    }, `sample --checkpoint ${file}`);
  } catch (error) {
    loaded?.model.dispose();
    throw error;
  }
  return loaded!;
}

export async function sample(argv: string[]): Promise<number> {
  const v = parseCommand(SPEC, argv);
  if (!v) return 0;
  if (v.checkpoint === undefined) throw new UsageError('--checkpoint FILE|DIR is required');
  const file = checkpointPath(v.checkpoint);
  if (!existsSync(file)) throw new UsageError(`--checkpoint: no checkpoint at ${file}`);
  const loaded = load(file, v.device);
  try {
    if (loaded.kind === 'series') {
      if (v.prompt !== undefined) throw new UsageError(`--prompt is for language models; ${file} is a forecaster of '${loaded.state.name}'`);
      const values = await forecastSeries(loaded.model, loaded.state, v.length ?? 1);
      const { horizon } = loaded.state.training;
      console.log(`forecast of '${loaded.state.name}' after its last value (${loaded.state.data.length} values)${horizon > 1 ? `, ${horizon} steps ahead` : ''}:`);
      values.forEach((value, i) => console.log(`  t+${horizon > 1 ? horizon : i + 1}: ${value.toPrecision(6)}`));
      return 0;
    }
    const { level, vocabulary } = loaded.state;
    const promptTokens = tokenize(v.prompt ?? (level === 'char' ? ' ' : 'the'), level);
    if (promptTokens.length === 0) throw new UsageError(`--prompt holds no ${level === 'char' ? 'characters' : 'words'}`);
    const ids = encode(promptTokens, vocabulary);
    const unknown = promptTokens.filter((_, i) => ids[i] === 0 && promptTokens[i] !== UNKNOWN);
    if (unknown.length > 0) console.error(`(not in the vocabulary, read as ${UNKNOWN}: ${[...new Set(unknown)].slice(0, 8).map((t) => JSON.stringify(t)).join(', ')})`);
    const generated = await sampleTokens(loaded.model, ids, { length: v.length ?? (level === 'char' ? 300 : 60), temperature: v.temperature, topK: v['top-k'], seed: v.seed });
    console.log(detokenize([...promptTokens, ...generated.map((id) => vocabulary[id])], level));
    return 0;
  } finally {
    loaded.model.dispose();
  }
}
