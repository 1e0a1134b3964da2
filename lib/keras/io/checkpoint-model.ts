/**
 * A Keras-face model as a training checkpoint (lib/weights/checkpoint.ts): the layers' engine
 * tensors under `<layer>.<parameter>` (PyTorch names and layouts), the optimizer's state, the
 * generator's position, and in the extra the model's topology and compile() arguments, so that
 * keras.loadModel(path) rebuilds, compiles and restores it from the file alone and a fit with
 * `initialEpoch` continues bit for bit on the CPU.
 */
import type { Device, FloatDType } from '../../dtype';
import { ArgumentError } from '../../errors';
import type { Tensor } from '../../tensor';
import { restoreCheckpoint, saveCheckpoint, type HasStateDict, type OptimizerLike } from '../../weights/checkpoint';
import { optimizerSpec, type KerasOptimizerSpec } from '../optimizers';
import type { Sequential, SequentialOptions } from '../sequential';
import { layersFromTopology, layerToJson } from './tfjs-topology';

const EXTRA_KEY = 'keras';

interface SavedModel {
  topology: unknown;
  dtype: FloatDType;
  compile: { optimizer: KerasOptimizerSpec | null; loss: string | null; metrics: string[] } | null;
}

/** The model's parameters by `<layer>.<parameter>`, loaded by the same names. */
function tensorsOf(model: Sequential): HasStateDict {
  const named = () => new Map(model.layers.flatMap((layer) => (layer.module?.namedParameters() ?? []).map(([name, p]) => [`${layer.name}.${name}`, p] as [string, Tensor])));
  return {
    stateDict: () => Object.fromEntries([...named()].map(([name, p]) => [name, p.detach()])),
    loadStateDict: (dict) => {
      const own = named();
      const missing = [...own.keys()].filter((k) => !(k in dict)), extra = Object.keys(dict).filter((k) => !own.has(k));
      if (missing.length > 0 || extra.length > 0) {
        throw new ArgumentError(`${model.name}: the checkpoint's tensors do not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`);
      }
      for (const layer of model.layers) {
        if (!layer.module) continue;
        const prefix = `${layer.name}.`;
        layer.module.loadStateDict(Object.fromEntries(Object.entries(dict).filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t])));
      }
    },
  };
}

export function saveModelCheckpoint(model: Sequential, path: string): void {
  if (!model.built) throw new ArgumentError(`${model.name}.save(${JSON.stringify(path)}): the model is not built yet`);
  const record = model.record();
  const topology = { class_name: 'Sequential', config: { name: model.name, layers: model.layers.map((l, i) => layerToJson(l, i === 0 ? l.inputShape : null, 'native')) } };
  const saved: SavedModel = { topology, dtype: record.dtype, compile: record.compile };
  saveCheckpoint(path, { model: tensorsOf(model), optimizer: (model.buildOptimizer() as OptimizerLike | null) ?? null, generator: record.generator, extra: { [EXTRA_KEY]: saved } });
}

/** Rebuilds, compiles (when compile()'s arguments were saved) and restores a model saved by saveModelCheckpoint. */
export function loadModelCheckpoint(path: string, options: { device?: Device }, make: (o: SequentialOptions) => Sequential): Sequential {
  const where = `keras.loadModel(${JSON.stringify(path)})`;
  let model: Sequential | null = null;
  try {
    restoreCheckpoint(path, (extra) => {
      const saved = extra[EXTRA_KEY] as SavedModel | undefined;
      if (!saved || typeof saved !== 'object') throw new ArgumentError(`${where}: the checkpoint holds no Keras model (it was saved with saveCheckpoint; load it into a model with loadCheckpoint)`);
      const { name, layers, inputShape } = layersFromTopology(saved.topology, where);
      model = make({ name, dtype: saved.dtype, device: options.device, layers });
      if (inputShape) model.build(inputShape);
      let optimizer: OptimizerLike | null = null;
      if (saved.compile?.optimizer && saved.compile.loss) {
        const spec = saved.compile.optimizer;
        model.compile({ optimizer: optimizerSpec(spec.name, spec.options), loss: saved.compile.loss, metrics: saved.compile.metrics });
        optimizer = model.buildOptimizer() as OptimizerLike | null;
      }
      return { model: tensorsOf(model), optimizer, generator: model.record().generator };
    }, where);
    return model!;
  } catch (error) {
    (model as Sequential | null)?.dispose();
    throw error;
  }
}
