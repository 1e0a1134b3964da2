/**
 * The GRU config as the native GRU functions take it: packed into a Float64Array (field order of
 * ConfigField in native/bindings/gru_bindings.cc), so a call costs no property lookups.
 */
import type { NativeGruConfig } from './types';

export const GRU_CONFIG_FIELDS = 14;

export function packGruConfig(c: NativeGruConfig): Float64Array {
  const packed = new Float64Array(GRU_CONFIG_FIELDS);
  packed[0] = c.inputSize;
  packed[1] = c.hiddenSize;
  packed[2] = c.numLayers;
  packed[3] = c.bidirectional ? 1 : 0;
  packed[4] = c.bias ? 1 : 0;
  packed[5] = c.resetAfter ? 1 : 0;
  packed[6] = c.seqLen;
  packed[7] = c.batch;
  packed[8] = c.batchFirst ? 1 : 0;
  packed[9] = c.dropout;
  if (c.dropoutSeed !== 0n) { // bigint arithmetic costs microseconds: skip it when there is no seed
    packed[10] = Number(BigInt.asUintN(32, c.dropoutSeed));
    packed[11] = Number(c.dropoutSeed >> 32n);
  }
  packed[12] = c.dropoutOffset;
  packed[13] = c.allowTF32 ? 1 : 0;
  return packed;
}
