/**
 * keras.loadModel(path): a model from a file, by its kind: Keras 3's .keras, a legacy Keras .h5,
 * a TF.js model.json, or a checkpoint model.save() wrote (.safetensors).
 */
import { checkOptions } from '../../arguments';
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { Sequential } from '../sequential';
import { loadModelCheckpoint } from './checkpoint-model';
import { loadKerasFile } from './keras-file';
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
  if (path.endsWith('.keras') || path.endsWith('.h5')) {
    if (o.dtype !== undefined || o.device !== undefined) throw new ArgumentError('keras.loadModel options: a Keras file loads as float32 on the cpu (move it with the model options later)');
    return loadKerasFile(path, (model) => new Sequential(model));
  }
  throw new ArgumentError(`keras.loadModel(${JSON.stringify(path)}): Keras files (.keras, .h5), TF.js model.json files and checkpoints (.safetensors) load, not this kind`);
}
