/**
 * keras.loadModel(path): a model from a file, by its kind: a TF.js model.json, or a checkpoint
 * model.save() wrote (.safetensors). Keras's .keras and .h5 files are not read yet.
 */
import { checkOptions } from '../../arguments';
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { Sequential } from '../sequential';
import { loadModelCheckpoint } from './checkpoint-model';
import { loadTfjsModel } from './tfjs-model';

export interface LoadModelOptions {
  dtype?: FloatDType;
  device?: Device;
}

export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<Sequential> {
  const o = checkOptions(options, ['dtype', 'device'], 'keras.loadModel options');
  if (typeof path !== 'string') throw new ArgumentError(`keras.loadModel: path must be a string, got ${describe(path)}`);
  if (path.endsWith('.json')) return loadTfjsModel(path, o, (model) => new Sequential(model));
  if (path.endsWith('.safetensors')) {
    if (o.dtype !== undefined) throw new ArgumentError('keras.loadModel options.dtype: a checkpoint keeps the dtype it was saved with');
    return loadModelCheckpoint(path, o, (model) => new Sequential(model));
  }
  throw new ArgumentError(`keras.loadModel(${JSON.stringify(path)}): TF.js model.json files and checkpoints (.safetensors) load so far, not this kind`);
}
