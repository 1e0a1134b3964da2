/**
 * A training run in one checkpoint file: saveCheckpoint's tensors (model, optimizer), scheduler
 * and generator, plus the run's JSON state under a kind and version in the extra, so that a
 * trainer resumes its own runs and refuses another's. A run's folder holds `checkpoint.safetensors`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { ArgumentError } from '../errors';
import { describe } from '../format';
import { restoreCheckpoint, saveCheckpoint, type CheckpointParts } from '../weights/checkpoint';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export interface RunKind {
  kind: string;
  version: number;
  /** What the kind is, for messages ("a language-model checkpoint"). */
  what: string;
}

/** `path`, or the checkpoint inside it when it is a run's folder. */
export function checkpointPath(path: string): string {
  return existsSync(path) && statSync(path).isDirectory() ? join(path, CHECKPOINT_FILE) : path;
}

export function saveRun(path: string, kind: RunKind, parts: Omit<CheckpointParts, 'extra'>, state: object): void {
  saveCheckpoint(path, { ...parts, extra: { kind: kind.kind, version: kind.version, state } });
}

/** The kind of run a checkpoint's extra holds, or null when it holds none. */
export function runKindOf(extra: Record<string, unknown>): string | null {
  return typeof extra.kind === 'string' ? extra.kind : null;
}

/** The run state in a checkpoint's extra, checked to be of `kind`. */
export function checkRunState<S>(extra: Record<string, unknown>, kind: RunKind, file: string): S {
  if (extra.kind !== kind.kind) throw new ArgumentError(`${file}: not ${kind.what} (its kind is ${describe(extra.kind ?? null)}, expected '${kind.kind}')`);
  if (extra.version !== kind.version) throw new ArgumentError(`${file}: ${kind.what} of version ${describe(extra.version)}, this library reads ${kind.version}`);
  return extra.state as S;
}

/** Restores a run into what `build(state)` makes from its state; returns the state. */
export function readRun<S>(path: string, kind: RunKind, build: (state: S) => Omit<CheckpointParts, 'extra'>, where: string): S {
  const file = checkpointPath(path);
  let state: S | undefined;
  restoreCheckpoint(file, (extra) => {
    state = checkRunState<S>(extra, kind, file);
    return build(state);
  }, `${where}(${JSON.stringify(file)})`);
  return state!;
}
