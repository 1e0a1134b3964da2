/**
 * keras.callbacks.jsonLinesLogger({ path, append }): Keras's CSVLogger as JSON lines, one object
 * per epoch (`{"epoch":0,"loss":0.31,"val_loss":0.35}`, the epoch 0-based as CSVLogger writes it).
 * Each line is appended with its own open-write-close, so it is on disk at the epoch's end (a
 * `tail -f` sees it) and no file stays open after training, whether it ends, fails or is aborted.
 * Non-finite values (a NaN loss) are written as null, JSON having no NaN.
 */
import { appendFileSync, writeFileSync } from 'node:fs';

import { checkOptions, optionalBoolean } from '../arguments';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import type { Callback, Logs } from '../train/fit-loop';
import { fileError } from '../weights/safetensors';

export interface JsonLinesLoggerOptions {
  path: string;
  /** Keep the lines already in the file (default false: each fit() starts it afresh). */
  append?: boolean;
}

export class JsonLinesLogger implements Callback {
  readonly path: string;
  readonly append: boolean;

  constructor(options: JsonLinesLoggerOptions) {
    const where = 'jsonLinesLogger options';
    const o = checkOptions(options, ['path', 'append'], where);
    if (typeof o.path !== 'string' || o.path.length === 0) throw new ArgumentError(`${where}.path must be a non-empty string, got ${describe(o.path)}`);
    this.path = o.path;
    this.append = optionalBoolean(o.append, false, `${where}.append`);
  }

  /** Creates the file, or empties it unless appending, before the first epoch (as CSVLogger opens it). */
  onTrainBegin(): void {
    this.write('', !this.append);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.write(`${JSON.stringify({ epoch, ...logs })}\n`, false);
  }

  private write(text: string, truncate: boolean): void {
    try {
      if (truncate) writeFileSync(this.path, text);
      else appendFileSync(this.path, text);
    } catch (err) {
      throw fileError(err, `jsonLinesLogger: cannot write ${JSON.stringify(this.path)}`, this.path, 'write');
    }
  }
}
