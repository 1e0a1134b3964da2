/**
 * keras.loadModel(path): a model from a file, by its kind. TF.js's model.json loads now; Keras's
 * .keras and .h5 files come with the weight-interop work.
 */
import { checkOptions } from '../../arguments';
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError } from '../../errors';
import { describe } from '../../format';
import { Sequential } from '../sequential';
import { loadTfjsModel } from './tfjs-model';

export interface LoadModelOptions {
  dtype?: FloatDType;
  device?: Device;
}

export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<Sequential> {
  const o = checkOptions(options, ['dtype', 'device'], 'keras.loadModel options');
  if (typeof path !== 'string') throw new ArgumentError(`keras.loadModel: path must be a string, got ${describe(path)}`);
  if (path.endsWith('.json')) return loadTfjsModel(path, o, (model) => new Sequential(model));
  throw new ArgumentError(`keras.loadModel(${JSON.stringify(path)}): only TF.js model.json files load so far (a path ending in .json)`);
}
