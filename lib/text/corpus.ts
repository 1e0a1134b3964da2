/**
 * Text as token ids for the language model: words (lower-cased, punctuation as tokens) or
 * characters (runs of white space as one space), into a vocabulary of the most frequent tokens
 * with <unk> at id 0.
 */
import { ArgumentError } from '../errors';
import { describe } from '../format';

export type TextLevel = 'word' | 'char';

export const TEXT_LEVELS: readonly TextLevel[] = ['word', 'char'];

export interface Corpus {
  /** Token strings by id; id 0 is <unk>. */
  vocabulary: string[];
  ids: Int32Array;
  level: TextLevel;
}

export const UNKNOWN = '<unk>';

export function checkLevel(level: unknown, argument: string): TextLevel {
  if (level !== 'word' && level !== 'char') throw new ArgumentError(`${argument} must be 'word' or 'char', got ${describe(level)}`);
  return level;
}

export function tokenize(text: string, level: TextLevel): string[] {
  if (level === 'char') return [...text.replace(/\s+/g, ' ')];
  return text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?|[.,;:!?"()-]/g) ?? [];
}

/** A vocabulary of the `size - 1` most frequent tokens (ties in code-point order) after <unk>. */
export function buildVocabulary(tokens: string[], size: number): string[] {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [UNKNOWN, ...ranked.slice(0, size - 1).map(([t]) => t)];
}

/** Ids of `tokens` in `vocabulary` (<unk> for the rest). */
export function encode(tokens: string[], vocabulary: string[]): Int32Array {
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  return Int32Array.from(tokens, (t) => index.get(t) ?? 0);
}

export function buildCorpus(tokens: string[], size: number, level: TextLevel): Corpus {
  const vocabulary = buildVocabulary(tokens, size);
  return { vocabulary, ids: encode(tokens, vocabulary), level };
}

export function detokenize(tokens: string[], level: TextLevel): string {
  if (level === 'char') return tokens.join('');
  return tokens.join(' ').replace(/ ([.,;:!?)])/g, '$1').replace(/\( /g, '(');
}
