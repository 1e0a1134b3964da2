/** Output: an aligned text table for people and a JSON file for tools. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Cell = string | number | null | undefined;

/** Formats a number with `digits` decimals; null/undefined/NaN print as '-'. */
export function fmt(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** Left-aligns text columns and right-aligns numeric-looking ones. */
export function formatTable(header: readonly string[], rows: readonly Cell[][]): string {
  const text = [header.map(String), ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...text.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.every((r) => /^[-+\d.%x]*$/.test(String(r[i] ?? '-'))));
  const line = (r: string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(text[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}
