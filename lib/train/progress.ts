/**
 * fit()'s progress display, Keras 3's: verbose 1 on a terminal draws a bar per epoch (with
 * cli-progress) under an `Epoch 3/60` line, redrawn at most 10 times a second, and ends it with
 * the epoch's time, time per step and logs; verbose 1 elsewhere (a pipe, a file, CI logs) and
 * verbose 2 print one line per epoch; verbose 0 prints nothing. The display never reads the
 * device: it shows a running loss only when the fit loop reads each batch's loss anyway (for a
 * callback's onBatchEnd), otherwise the loss appears at the epoch's end.
 */
import { SingleBar, type Options as BarOptions } from 'cli-progress';

import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Logs } from './fit-loop';

/** Keras's verbose: 'auto' (the default) is 1. */
export function checkVerbose(value: unknown, argument: string): 0 | 1 | 2 {
  if (value === undefined || value === 'auto') return 1;
  if (value !== 0 && value !== 1 && value !== 2) throw new ArgumentError(`${argument} must be 0, 1, 2 or 'auto', got ${describe(value)}`);
  return value;
}

/** Where the display writes: stderr, or a stand-in with the same shape. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

let streamOverride: ProgressStream | null = null;

/** @internal Sends fit()'s progress to `stream` instead of stderr (null: back to stderr); for tests. */
export function setProgressStream(stream: ProgressStream | null): void {
  streamOverride = stream;
}

/** The fit loop's side of the display. */
export interface Progress {
  epochBegin(epoch: number): void;
  /** After a batch: `step` batches done this epoch, the batch's rows, its loss when the loop read it. */
  batchEnd(step: number, rows: number, loss: number | undefined): void;
  /** After the epoch's callbacks, with the logs they may have added to. */
  epochEnd(epoch: number, logs: Logs): void;
  /** Ends a bar still drawn (fit failed or was aborted), so no redraw timer outlives fit(). */
  close(): void;
}

/**
 * The display for `verbose`, over `epochs` (the last epoch's number) of `steps` batches (null or
 * 0 when unknown before iterating: the first epoch then counts them, as Keras's does).
 */
export function progressDisplay(verbose: 0 | 1 | 2, epochs: number, steps: number | null): Progress {
  const stream = streamOverride ?? process.stderr;
  if (verbose === 0) return SILENT;
  // Keras: a bar only where it can be redrawn in place; logs and pipes get plain lines.
  if (verbose === 1 && stream.isTTY === true) return new BarDisplay(stream, epochs, steps ?? 0);
  return new LineDisplay(stream, epochs);
}

const SILENT: Progress = { epochBegin() {}, batchEnd() {}, epochEnd() {}, close() {} };

/** Keras's log values: 4 decimals, or exponent form at and below 1e-3 (Python's two-digit exponent). */
export function formatLogValue(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  return v.toExponential(4).replace(/e([+-])(\d)$/, 'e$10$2');
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs).map(([name, v]) => ` - ${name}: ${formatLogValue(v)}`).join('');
}

/** Keras's time per step: 1s/step, 45ms/step, 800us/step. */
function perStep(ms: number): string {
  if (ms >= 1000 || ms === 0) return `${Math.round(ms / 1000)}s/step`;
  if (ms >= 1) return `${Math.round(ms)}ms/step`;
  return `${Math.round(ms * 1000)}us/step`;
}

/** Keras's time left: 5s, 1:05, 1:01:05 (whole seconds, rounded down). */
function timeLeft(seconds: number): string {
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (s > 3600) return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  if (s > 60) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  return `${s}s`;
}

class LineDisplay implements Progress {
  private started = 0;
  private steps = 0;

  constructor(private readonly stream: ProgressStream, private readonly epochs: number) {}

  epochBegin(): void {
    this.started = Date.now();
    this.steps = 0;
  }

  batchEnd(step: number): void {
    this.steps = step;
  }

  epochEnd(epoch: number, logs: Logs): void {
    const ms = Date.now() - this.started;
    this.stream.write(`Epoch ${epoch + 1}/${this.epochs} - ${Math.round(ms / 1000)}s - ${perStep(ms / Math.max(this.steps, 1))}${formatLogs(logs)}\n`);
  }

  close(): void {}
}

/** Keras's bar width and characters. */
const BAR_WIDTH = 20;

interface BarState {
  timing: string;
  logs: string;
}

class BarDisplay implements Progress {
  private readonly bar: SingleBar;
  private started = 0;
  private done = 0;
  private lossSum = 0;
  private lossRows = 0;
  private state: BarState = { timing: '', logs: '' };

  /** `steps` 0: unknown until the first epoch ends. */
  constructor(private readonly stream: ProgressStream, private readonly epochs: number, private steps: number) {
    const options: BarOptions = {
      stream,
      format: (_options, params, payload: BarState) => this.line(params.value, params.progress, payload),
      // At most 10 redraws a second (cli-progress also skips redraws that change nothing).
      fps: 10,
      // The bar line is cleared at the end and written again in full: cli-progress trims each
      // redraw to the terminal's width, and the last line, with val_*, must not lose its end.
      clearOnComplete: true,
      linewrap: true,
      hideCursor: false,
      // cli-progress's SIGINT handler would keep Ctrl-C from ending the process.
      gracefulExit: false,
    };
    this.bar = new SingleBar(options);
  }

  /** `12/16 ━━━━━━━━━━━━━━────── 0s 45ms/step - loss: 0.3100`, the step padded to the total's width. */
  private line(step: number, fraction: number, state: BarState): string {
    const timing = state.timing ? ` ${state.timing}` : '';
    // Keras's form for an unknown number of steps: no bar.
    if (this.steps === 0) return `${step}/Unknown${timing}${state.logs}`;
    const total = String(this.steps);
    const filled = Math.floor(BAR_WIDTH * Math.min(Math.max(fraction, 0), 1));
    const bar = '━'.repeat(filled) + '─'.repeat(BAR_WIDTH - filled);
    return `${String(step).padStart(total.length)}/${total} ${bar}${timing}${state.logs}`;
  }

  epochBegin(epoch: number): void {
    this.stream.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
    this.started = Date.now();
    this.done = 0;
    this.lossSum = 0;
    this.lossRows = 0;
    this.state = { timing: '', logs: '' };
    this.bar.start(this.steps, 0, this.state);
  }

  batchEnd(step: number, rows: number, loss: number | undefined): void {
    this.done = step;
    if (loss !== undefined) {
      this.lossSum += loss * rows;
      this.lossRows += rows;
    }
    const ms = Date.now() - this.started, msPerStep = ms / step;
    // Keras: the time left, or the time so far when the number of steps is unknown.
    const seconds = this.steps === 0 ? `${Math.round(ms / 1000)}s` : timeLeft(((this.steps - step) * msPerStep) / 1000);
    this.state = {
      timing: `${seconds} ${perStep(msPerStep)}`,
      // Keras shows the epoch's running mean.
      logs: this.lossRows > 0 ? formatLogs({ loss: this.lossSum / this.lossRows }) : '',
    };
    this.bar.update(step, this.state);
  }

  epochEnd(_epoch: number, logs: Logs): void {
    const ms = Date.now() - this.started;
    this.finish({ timing: `${Math.round(ms / 1000)}s ${perStep(ms / Math.max(this.done, 1))}`, logs: formatLogs(logs) });
    // Later epochs of an iterable get a bar (Keras's too).
    if (this.steps === 0) this.steps = this.done;
  }

  close(): void {
    if (this.bar.isActive) this.finish(this.state);
  }

  private finish(state: BarState): void {
    this.bar.stop();
    this.stream.write(`${this.line(this.done, this.steps === 0 ? 1 : this.done / this.steps, state)}\n`);
  }
}
