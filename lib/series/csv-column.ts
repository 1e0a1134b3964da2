/**
 * One numeric column of a CSV file (parsed with the maintained csv-parse): the column is named by
 * its header or given by its 1-based position; a first row that is not numeric in that column is
 * taken as the header. Empty or non-numeric cells are errors naming the line.
 */
import { readFileSync } from 'node:fs';

import { parse } from 'csv-parse/sync';

import { ArgumentError } from '../errors';

export interface CsvColumn {
  /** The header's name, or `column N` without a header. */
  name: string;
  values: Float64Array;
}

export function readCsvColumn(path: string, column: string): CsvColumn {
  let rows: string[][];
  try {
    rows = parse(readFileSync(path, 'utf8'), { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new ArgumentError(`${path}: cannot read it as CSV (${(error as Error).message})`);
  }
  if (rows.length === 0) throw new ArgumentError(`${path}: the file holds no rows`);
  const numeric = (cell: string | undefined) => cell !== undefined && cell !== '' && Number.isFinite(Number(cell));
  const position = /^\d+$/.test(column) ? Number(column) - 1 : -1;
  let index: number, header: string[] | null = null;
  if (position >= 0) {
    index = position;
    if (!numeric(rows[0][index])) header = rows[0];
  } else {
    header = rows[0];
    index = header.indexOf(column);
    if (index < 0) throw new ArgumentError(`${path}: no column named '${column}' (the header has: ${header.join(', ')})`);
  }
  if (position >= 0 && index >= rows[0].length) throw new ArgumentError(`${path}: column ${column} asked for, but the first row has ${rows[0].length} columns`);
  const body = header ? rows.slice(1) : rows;
  const values = new Float64Array(body.length);
  body.forEach((row, i) => {
    const cell = row[index];
    if (!numeric(cell)) throw new ArgumentError(`${path}: line ${i + (header ? 2 : 1)}, column '${header?.[index] ?? index + 1}': expected a number, got ${JSON.stringify(cell ?? '')}`);
    values[i] = Number(cell);
  });
  return { name: header?.[index] ?? `column ${index + 1}`, values };
}
