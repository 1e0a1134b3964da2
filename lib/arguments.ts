/**
 * Checks of plain arguments: option objects (unknown names are errors, with a "did you mean"),
 * integers, finite numbers and booleans. Messages name the argument, the expected and the actual
 * value. In plain JavaScript a misspelt option would otherwise be ignored silently and give a
 * different model.
 */
import { ArgumentError } from './errors';
import { describe } from './format';

/** Names people bring from PyTorch, Keras or TF.js for one of ours. */
const SYNONYMS: Readonly<Record<string, string>> = { hx: 'h0', h_0: 'h0', seqLengths: 'lengths', stddev: 'std', minval: 'low', maxval: 'high' };

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Edits between a and b, a swap of neighbours counting as one (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The valid name `name` most likely means, if any. */
export function didYouMean(name: string, valid: readonly string[]): string | undefined {
  const synonym = SYNONYMS[name];
  if (synonym !== undefined && valid.includes(synonym)) return synonym;
  const key = normalise(name);
  const exact = valid.find((v) => normalise(v) === key);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3));
  for (const v of valid) {
    const distance = editDistance(key, normalise(v));
    if (distance <= bestDistance) {
      best = v;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * `options` as an object whose every own key is in `valid` (undefined means no options).
 * `where` names the options in messages, e.g. "GRU options".
 */
export function checkOptions<T extends object>(options: T | undefined, valid: readonly string[], where: string): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${where} must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    const guess = didYouMean(key, valid);
    throw new ArgumentError(
      `${where}: unknown option ${JSON.stringify(key)}${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''} ` +
        `(valid options: ${valid.join(', ')})`,
    );
  }
  return options;
}

export function checkInteger(value: unknown, argument: string, min = 0, max = Number.MAX_SAFE_INTEGER, why = ''): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ArgumentError(`${argument} must be an integer ${range}${why ? ` (${why})` : ''}, got ${describe(value)}`);
  }
  return value;
}

export function checkFiniteNumber(value: unknown, argument: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${argument} must be a finite number, got ${describe(value)}`);
  }
  return value;
}

export function checkBoolean(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') throw new ArgumentError(`${argument} must be a boolean, got ${describe(value)}`);
  return value;
}

/** `value` or, when it is undefined, `fallback`; null and other types are errors. */
export function optionalBoolean(value: unknown, fallback: boolean, argument: string): boolean {
  return value === undefined ? fallback : checkBoolean(value, argument);
}
