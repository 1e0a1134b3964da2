/**
 * The GRU config as the native GRU functions take it: a Float64Array in the field order the addon
 * exports (Note [GRU config fields] in native/ops/gru_config.h), so a call costs no property
 * lookups. GRU_CONFIG_KINDS is this side's list of the fields, for the types; the addon's table
 * decides the order, and a mismatch between the two is refused at load.
 */
import { GruError } from '../errors';
import { nativeConstants } from './binding';

export const GRU_CONFIG_KINDS = {
  /** Features of each input step. */
  inputSize: 'Size',
  /** Features of the state. */
  hiddenSize: 'Size',
  /** Stacked layers (default 1). */
  numLayers: 'Size',
  /** Forward and reverse directions, outputs concatenated (default false). */
  bidirectional: 'Flag',
  /** Use bias_ih and bias_hh (default true). */
  bias: 'Flag',
  /**
   * true (default): PyTorch/cuDNN/Keras-default form, r applied after the recurrent matmul.
   * false: Keras reset_after=False / TF.js form, r applied to h before it (on CUDA, composed of ops).
   */
  resetAfter: 'Flag',
  seqLen: 'Size',
  batch: 'Size',
  /** Input and output are [batch, seq, feature] (default false: [seq, batch, feature]). */
  batchFirst: 'Flag',
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout: 'Probability',
  dropoutSeedLow: 'Word',
  dropoutSeedHigh: 'Word',
  dropoutOffset: 'Count',
  /** The candidate's function (constants().gruActivations; default tanh). */
  activation: 'Activation',
  /** The r and z gates' function (default sigmoid). */
  recurrentActivation: 'Activation',
  /**
   * float32 on cuda may use TF32 tensor cores (cuDNN's default math): faster on Ampere and later
   * GPUs, about 1e-3 relative error. Default false: full float32 (FMA) math, as on the CPU.
   * Ignored on the CPU.
   */
  allowTF32: 'Flag',
} as const;

type Kinds = typeof GRU_CONFIG_KINDS;
export type GruConfigField = keyof Kinds;
export type NativeGruConfig = { [F in GruConfigField]: Kinds[F] extends 'Flag' ? boolean : number };

/** The fields a call adds to a layer's config. */
export type GruCallField = 'seqLen' | 'batch' | 'dropoutSeedLow' | 'dropoutSeedHigh' | 'dropoutOffset';
/** What a GRU layer fixes at construction. */
export type GruLayerConfig = Omit<NativeGruConfig, GruCallField>;

const FIELDS: readonly GruConfigField[] = nativeConstants.gruConfigFields.map(({ name, kind }) => {
  if (!(name in GRU_CONFIG_KINDS) || GRU_CONFIG_KINDS[name as GruConfigField] !== kind) {
    throw new GruError(`gru-native: the native addon's GRU config field ${name} (${kind}) is unknown here; rebuild it (npm rebuild gru-native)`, 'ADDON_MISMATCH');
  }
  return name as GruConfigField;
});
if (FIELDS.length !== Object.keys(GRU_CONFIG_KINDS).length) {
  throw new GruError('gru-native: the native addon has a different GRU config; rebuild it (npm rebuild gru-native)', 'ADDON_MISMATCH');
}

const CALL_FIELDS: readonly GruConfigField[] = ['seqLen', 'batch', 'dropoutSeedLow', 'dropoutSeedHigh', 'dropoutOffset'] satisfies GruCallField[];
/** The fields of a layer's config, in the addon's order. */
export const GRU_LAYER_FIELDS = FIELDS.filter((f) => !CALL_FIELDS.includes(f)) as readonly (keyof GruLayerConfig)[];

/** The layer config inside `values` (a layer's resolved options), frozen so gruOp can cache its packing. */
export function layerConfigOf(values: GruLayerConfig): GruLayerConfig {
  const config: Partial<Record<keyof GruLayerConfig, number | boolean>> = {};
  for (const field of GRU_LAYER_FIELDS) config[field] = values[field];
  return Object.freeze(config as GruLayerConfig);
}

/** The largest value of each field (32-bit BLAS dimensions and the like), from the addon. */
export const GRU_CONFIG_MAX: Readonly<Record<GruConfigField, number>> = Object.freeze(
  Object.fromEntries(nativeConstants.gruConfigFields.map(({ name, max }) => [name, max])) as Record<GruConfigField, number>,
);

export function packGruConfig(c: NativeGruConfig): Float64Array {
  const packed = new Float64Array(FIELDS.length);
  for (let i = 0; i < FIELDS.length; i++) {
    const value = c[FIELDS[i]];
    packed[i] = value === true ? 1 : value === false ? 0 : value;
  }
  return packed;
}

/** A Generator's 64-bit seed as the two 32-bit config words. */
export function seedWords(seed: bigint): { dropoutSeedLow: number; dropoutSeedHigh: number } {
  return { dropoutSeedLow: Number(BigInt.asUintN(32, seed)), dropoutSeedHigh: Number(BigInt.asUintN(32, seed >> 32n)) };
}
