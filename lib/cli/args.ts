/**
 * The commands' options: each declared once with its kind, default and help line, parsed with
 * Node's util.parseArgs (strict: unknown options and stray arguments are errors), then checked
 * by kind, so that `--epochs two` says which option wanted what. The same table writes --help.
 */
import { parseArgs } from 'node:util';

/** A command-line mistake: the command prints it with its usage and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type OptionSpec =
  | { kind: 'string'; help: string; default?: string; placeholder?: string }
  | { kind: 'choice'; help: string; choices: readonly string[]; default?: string }
  | { kind: 'integer'; help: string; default?: number; min?: number }
  | { kind: 'number'; help: string; default?: number; min?: number; exclusiveMin?: boolean }
  | { kind: 'flag'; help: string };

export type OptionTable = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { kind: 'flag' } ? boolean : S extends { kind: 'integer' | 'number' } ? number
  : S extends { kind: 'choice'; choices: readonly (infer C)[] } ? C : string;

/** Parsed values: those with a default always present; the rest present when given. */
export type Parsed<T extends OptionTable> = { [K in keyof T]: ValueOf<T[K]> | (T[K] extends { default: unknown } ? never : undefined) };

export interface CommandSpec<T extends OptionTable> {
  name: string;
  summary: string;
  options: T;
  /** Lines after the options: examples, notes. */
  epilogue?: string;
}

function placeholder(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'flag': return '';
    case 'choice': return ` ${spec.choices.join('|')}`;
    case 'string': return ` ${spec.placeholder ?? 'VALUE'}`;
    default: return ' N';
  }
}

export function helpText<T extends OptionTable>(spec: CommandSpec<T>): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const fallback = 'default' in o && o.default !== undefined ? ` (default ${o.default})` : '';
    return [`  --${name}${placeholder(o)}`, `${o.help}${fallback}`];
  });
  rows.push(['  --help', 'this text']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [`usage: gru-native ${spec.name} [options]`, '', spec.summary, '', 'options:', ...rows.map(([left, right]) => left.padEnd(width) + right),
    ...(spec.epilogue ? ['', spec.epilogue] : [])].join('\n');
}

function convert(name: string, o: OptionSpec, raw: string): number | string {
  if (o.kind === 'choice') {
    if (!o.choices.includes(raw)) throw new UsageError(`--${name} must be one of ${o.choices.join(', ')}, got '${raw}'`);
    return raw;
  }
  if (o.kind === 'string') {
    if (raw === '') throw new UsageError(`--${name} must not be empty`);
    return raw;
  }
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (o.kind === 'integer') {
    const min = o.min ?? 0;
    if (!Number.isSafeInteger(value) || value < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${raw}'`);
    return value;
  }
  const min = (o as { min?: number }).min;
  const exclusive = (o as { exclusiveMin?: boolean }).exclusiveMin === true;
  if (!Number.isFinite(value) || (min !== undefined && (exclusive ? value <= min : value < min))) {
    throw new UsageError(`--${name} must be a number${min === undefined ? '' : exclusive ? ` > ${min}` : ` >= ${min}`}, got '${raw}'`);
  }
  return value;
}

/** The options of `argv`, or null when --help was asked for (and printed). */
export function parseCommand<T extends OptionTable>(spec: CommandSpec<T>, argv: string[]): Parsed<T> | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const [name, o] of Object.entries(spec.options)) options[name] = { type: o.kind === 'flag' ? 'boolean' : 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(helpText(spec));
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = values[name];
    if (o.kind === 'flag') out[name] = raw === true;
    else if (typeof raw === 'string') out[name] = convert(name, o, raw);
    else if ('default' in o && o.default !== undefined) out[name] = o.default;
  }
  return out as Parsed<T>;
}

/** Which of `names` were given on the command line (before defaults). */
export function givenOptions(argv: string[], names: readonly string[]): string[] {
  return names.filter((name) => argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)));
}

/** A command's spec, its option kinds kept literal for the parsed values' types. */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}
