/** Checks on the SVG plots the examples and the CLI write. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** A plot: an SVG document whose tags balance, naming each of `series` (its legend). */
export function expectPlot(path: string, series: string[]): void {
  const svg = readFileSync(path, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  const open: string[] = [];
  for (const [, closing, name, selfClosing] of svg.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (closing) expect(open.pop(), `${path}: </${name}>`).toBe(name);
    else if (!selfClosing) open.push(name);
  }
  expect(open).toEqual([]);
  for (const name of series) expect(svg, `${path}: ${name}`).toContain(`>${name}<`);
}
