/**
 * Training checkpoints: one safetensors file (written atomically) holding the model's tensors
 * under PyTorch names (`model.<name>`), the optimizer's state tensors (`optimizer.<param>.<key>`),
 * and in its metadata the optimizer's param groups and step counts, a scheduler's state, the
 * generator's position and any JSON `extra` (epoch counters, a model config). Loading them into
 * the same model, optimizer, scheduler and generator continues training bit for bit on the CPU.
 */
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { defaultGenerator, type Generator } from '../random';
import { Tensor } from '../tensor';
import { readSafetensorsWithMetadata, writeSafetensors } from './safetensors';

/** What holds tensors by name: a Module (torch's state_dict); stateDict() gives views the caller disposes. */
export interface HasStateDict {
  stateDict(): Record<string, Tensor>;
  loadStateDict(dict: Record<string, Tensor>): void;
}

/** An Optimizer's state: per-parameter tensors and steps, and its param groups. */
export interface OptimizerLike {
  stateDict(): { state: Record<number, { step: number; tensors: Record<string, Tensor> }>; paramGroups: object[] };
  loadStateDict(dict: { state: Record<number, { step: number; tensors: Record<string, Tensor> }>; paramGroups: object[] }): void;
}

/** A scheduler (or anything) whose state is JSON. */
export interface JsonStateful {
  stateDict(): object;
  loadStateDict(dict: never): void;
}

export interface CheckpointParts {
  model: HasStateDict;
  optimizer?: OptimizerLike | null;
  scheduler?: JsonStateful | null;
  /** Whose position is saved and restored (default: the global generator, which dropout and init draw from). */
  generator?: Generator;
  /** JSON-able values saved alongside (epoch and step counters, configs). */
  extra?: Record<string, unknown>;
}

const METADATA_KEY = 'gru-native.checkpoint';
const VERSION = 1;

interface Manifest {
  version: number;
  optimizer: { steps: Record<number, number>; paramGroups: object[] } | null;
  scheduler: object | null;
  generator: { seed: string; offset: number };
  extra: Record<string, unknown>;
}

const PARTS = ['model', 'optimizer', 'scheduler', 'generator', 'extra'];

function checkParts(parts: unknown, where: string): CheckpointParts {
  if (typeof parts !== 'object' || parts === null) throw new ArgumentError(`${where}: expected { model, optimizer?, scheduler?, generator?, extra? }, got ${describe(parts)}`);
  for (const key of Object.keys(parts)) if (!PARTS.includes(key)) throw new ArgumentError(`${where}: unknown part '${key}' (known: ${PARTS.join(', ')})`);
  const p = parts as CheckpointParts;
  if (!p.model || typeof p.model.stateDict !== 'function') throw new ArgumentError(`${where}: model must have stateDict() (a Module), got ${describe(p.model)}`);
  return p;
}

/** Writes a checkpoint of `parts` to `path`. */
export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  const where = `saveCheckpoint(${JSON.stringify(path)})`;
  const p = checkParts(parts, where);
  const tensors: Record<string, Tensor> = {};
  try {
    for (const [name, t] of Object.entries(p.model.stateDict())) tensors[`model.${name}`] = t;
    let optimizer: Manifest['optimizer'] = null;
    if (p.optimizer) {
      const dict = p.optimizer.stateDict();
      const steps: Record<number, number> = {};
      for (const [index, s] of Object.entries(dict.state)) {
        steps[Number(index)] = s.step;
        for (const [key, t] of Object.entries(s.tensors)) tensors[`optimizer.${index}.${key}`] = t;
      }
      optimizer = { steps, paramGroups: dict.paramGroups };
    }
    let extra: string;
    try {
      extra = JSON.stringify(p.extra ?? {});
    } catch (err) {
      throw new ArgumentError(`${where}: extra must be JSON-able (${(err as Error).message})`);
    }
    const generator = (p.generator ?? defaultGenerator).getState();
    const manifest: Manifest = { version: VERSION, optimizer, scheduler: p.scheduler ? p.scheduler.stateDict() : null,
      generator: { seed: generator.seed.toString(), offset: generator.offset }, extra: JSON.parse(extra) };
    writeSafetensors(path, tensors, { [METADATA_KEY]: JSON.stringify(manifest) });
  } finally {
    // stateDict() views (the model's and the optimizer's), not the tensors themselves.
    for (const t of Object.values(tensors)) t.dispose();
  }
}

/**
 * Restores a checkpoint into `parts` (each given part must have been saved); returns its
 * `extra`. The model's and optimizer's tensors are copied (dtype and device converted).
 */
export function loadCheckpoint(path: string, parts: Omit<CheckpointParts, 'extra'>): Record<string, unknown> {
  return restoreCheckpoint(path, () => parts, `loadCheckpoint(${JSON.stringify(path)})`);
}

/**
 * @internal Reads a checkpoint once: `partsFor(extra)` makes what to restore from its extra (a
 * model rebuilt from the config saved there); returns the extra.
 */
export function restoreCheckpoint(path: string, partsFor: (extra: Record<string, unknown>) => Omit<CheckpointParts, 'extra'>, where: string): Record<string, unknown> {
  const { tensors, metadata } = readSafetensorsWithMetadata(path);
  try {
    const raw = metadata[METADATA_KEY];
    if (raw === undefined) throw new ArgumentError(`${where}: the file is safetensors but not a checkpoint (no ${METADATA_KEY} metadata)`);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(raw);
    } catch (err) {
      throw new ArgumentError(`${where}: its checkpoint metadata is not JSON (${(err as Error).message})`);
    }
    if (manifest.version !== VERSION) throw new ArgumentError(`${where}: checkpoint version ${describe(manifest.version)}, this library reads ${VERSION}`);
    const p = checkParts(partsFor(manifest.extra), where);
    const model: Record<string, Tensor> = {};
    const optimizerTensors = new Map<number, Record<string, Tensor>>();
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith('model.')) model[name.slice('model.'.length)] = t;
      else if (name.startsWith('optimizer.')) {
        const [, index, ...key] = name.split('.');
        const own = optimizerTensors.get(Number(index)) ?? {};
        own[key.join('.')] = t;
        optimizerTensors.set(Number(index), own);
      }
    }
    p.model.loadStateDict(model);
    if (p.optimizer) {
      if (!manifest.optimizer) throw new ArgumentError(`${where}: the checkpoint holds no optimizer state`);
      const state: Record<number, { step: number; tensors: Record<string, Tensor> }> = {};
      for (const [index, step] of Object.entries(manifest.optimizer.steps)) state[Number(index)] = { step, tensors: optimizerTensors.get(Number(index)) ?? {} };
      p.optimizer.loadStateDict({ state, paramGroups: manifest.optimizer.paramGroups });
    }
    if (p.scheduler) {
      if (!manifest.scheduler) throw new ArgumentError(`${where}: the checkpoint holds no scheduler state`);
      p.scheduler.loadStateDict(manifest.scheduler as never);
    }
    (p.generator ?? defaultGenerator).setState({ seed: BigInt(manifest.generator.seed), offset: manifest.generator.offset });
    return manifest.extra;
  } finally {
    for (const t of Object.values(tensors)) t.dispose();
  }
}
