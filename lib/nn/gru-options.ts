/**
 * GRU and GRUCell constructor options: the user-facing names and PyTorch's defaults, each
 * checked by its kind in the addon's config table and against the limit the addon exports
 * (GRU_CONFIG_MAX), with messages naming the option.
 */
import { checkInteger, checkOptions, optionalBoolean } from '../arguments';
import { requireDevice } from '../backends';
import { checkDType, checkDevice, codesFrom, type Device, type FloatDType } from '../dtype';
import { ArgumentError } from '../errors';
import { describe } from '../format';
import { nativeConstants } from '../native/binding';
import { GRU_CONFIG_KINDS, GRU_CONFIG_MAX, GRU_LAYER_FIELDS, type GruLayerConfig } from '../native/gru-config';
import { Generator, defaultGenerator } from '../random';

/** Where a layer's parameters live. */
export interface GruPlacementOptions {
  dtype?: FloatDType;
  device?: Device;
  /** Generator for initialisation and dropout (default: the global one). */
  generator?: Generator;
}

/**
 * The GRU's activations: `activation` makes the candidate n (default 'tanh'), `recurrentActivation`
 * the r and z gates (default 'sigmoid'). 'hardSigmoid' is Keras 3's relu6(x + 3) / 6,
 * 'hardSigmoidTfjs' TF.js's and Keras 2's clip(0.2 x + 0.5, 0, 1). The CPU kernels run every
 * pair; on CUDA cuDNN runs the default alone and the others run composed of ops (lib/ops/gru-composed.ts).
 */
export const GRU_ACTIVATIONS = ['tanh', 'sigmoid', 'relu', 'linear', 'hardSigmoid', 'hardSigmoidTfjs'] as const;
export type GRUActivation = (typeof GRU_ACTIVATIONS)[number];
const ACTIVATION_CODE = codesFrom(GRU_ACTIVATIONS, nativeConstants.gruActivations, 'GRU activation');

type ActivationField = 'activation' | 'recurrentActivation';

/** GRU options: the layer fields of the GRU config (documented in lib/native/gru-config.ts), all but the sizes optional. */
export type GRUOptions = Pick<GruLayerConfig, 'inputSize' | 'hiddenSize'> &
  Partial<Omit<GruLayerConfig, 'inputSize' | 'hiddenSize' | ActivationField>> &
  { activation?: GRUActivation; recurrentActivation?: GRUActivation } &
  GruPlacementOptions;

export type ResolvedGRUOptions = GruLayerConfig & { dtype: FloatDType; device: Device; generator: Generator };

/** The options a GRU layer exposes as read-only properties: the activations by name (exposeOptions). */
export type ExposedGRUOptions<K extends keyof ResolvedGRUOptions> = Omit<Pick<ResolvedGRUOptions, K>, 'activation' | 'recurrentActivation'>
  & ('activation' extends K ? { activation: GRUActivation; recurrentActivation: GRUActivation } : unknown);

/** Where a layer's parameters live, besides its config. */
const PLACEMENT_KEYS = ['dtype', 'device', 'generator'] as const;
/** The options GRU takes: every field of a layer's config, plus PLACEMENT_KEYS. */
export const GRU_OPTION_KEYS: readonly (keyof GRUOptions)[] = [...GRU_LAYER_FIELDS, ...PLACEMENT_KEYS];

/** PyTorch's defaults (inputSize and hiddenSize have none). */
const DEFAULTS: Partial<Record<keyof GruLayerConfig, unknown>> = {
  numLayers: 1, bias: true, batchFirst: false, dropout: 0, bidirectional: false, resetAfter: true, allowTF32: false,
  activation: 'tanh', recurrentActivation: 'sigmoid',
};

/** The default pair as config codes (tanh candidate, sigmoid gates), for configs built by hand. */
export const DEFAULT_ACTIVATIONS = Object.freeze({ activation: ACTIVATION_CODE.tanh, recurrentActivation: ACTIVATION_CODE.sigmoid });

/** `value` as an activation name (`fallback` when undefined); ArgumentError naming `argument` otherwise. */
export function checkGruActivation(value: unknown, argument: string, fallback: GRUActivation): GRUActivation {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(GRU_ACTIVATIONS as readonly string[]).includes(value)) {
    throw new ArgumentError(`${argument} must be one of ${GRU_ACTIVATIONS.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as GRUActivation;
}

/** The config code of an activation. */
export function activationCode(name: GRUActivation): number {
  return ACTIVATION_CODE[name];
}

/** The name of an activation code (for messages and the read-only properties). */
export function activationName(code: number): GRUActivation {
  return GRU_ACTIVATIONS.find((name) => ACTIVATION_CODE[name] === code)!;
}

const WHY_LIMIT: Partial<Record<keyof GruLayerConfig, string>> = {
  inputSize: '32-bit BLAS dimensions',
  hiddenSize: "one step's widest row, 6 * hiddenSize, must fit 32-bit BLAS dimensions",
};

function fieldValue(field: keyof GruLayerConfig, given: unknown, where: string): number | boolean {
  const value = given === undefined ? DEFAULTS[field] : given;
  const argument = `${where}.${field}`;
  switch (GRU_CONFIG_KINDS[field]) {
    case 'Size':
      return checkInteger(value, argument, 1, GRU_CONFIG_MAX[field], WHY_LIMIT[field]);
    case 'Flag':
      return optionalBoolean(value, false, argument);
    case 'Probability':
      if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ArgumentError(`${argument} must be a number in [0, 1), got ${describe(value)}`);
      return value;
    case 'Activation':
      return ACTIVATION_CODE[checkGruActivation(value, argument, 'tanh')];
    default:
      throw new ArgumentError(`${argument} is not a layer option`);
  }
}

/** Checks `options` (only `valid` names allowed) and fills in PyTorch's defaults. */
export function resolveGRUOptions(options: unknown, layer: string, valid: readonly string[] = GRU_OPTION_KEYS,
                                  fixed: Partial<GruLayerConfig> = {}): ResolvedGRUOptions {
  const where = `${layer} options`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ArgumentError(`${layer} needs an options object like { inputSize: 8, hiddenSize: 16 }, got ${describe(options)}`);
  }
  const o = checkOptions(options as Record<string, unknown>, valid, where);
  const config: Partial<Record<keyof GruLayerConfig, number | boolean>> = {};
  for (const field of GRU_LAYER_FIELDS) config[field] = field in fixed ? fixed[field]! : fieldValue(field, o[field], where);
  if (o.generator !== undefined && !(o.generator instanceof Generator)) {
    throw new ArgumentError(`${where}.generator must be a Generator, got ${describe(o.generator)}`);
  }
  const dtype = o.dtype === undefined ? 'float32' : checkDType(o.dtype, `${where}.dtype`);
  if (dtype === 'int32') throw new ArgumentError(`${where}.dtype must be 'float32' or 'float64', got 'int32'`);
  const device = o.device === undefined ? 'cpu' : checkDevice(o.device, `${where}.device`);
  requireDevice(device);
  return { ...(config as GruLayerConfig), dtype, device, generator: (o.generator as Generator | undefined) ?? defaultGenerator };
}

/**
 * Read-only properties for the given option names on `target` (a layer's prototype), reading
 * `this.options`: PyTorch's `gru.hidden_size` is `gru.hiddenSize` here.
 */
export function exposeOptions(target: object, keys: readonly string[]): void {
  for (const key of keys) {
    const named = key === 'activation' || key === 'recurrentActivation';
    Object.defineProperty(target, key, {
      get(this: { options: Record<string, unknown> }) {
        return named ? activationName(this.options[key] as number) : this.options[key];
      },
      enumerable: false,
      configurable: true,
    });
  }
}
