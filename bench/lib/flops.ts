/** Floating-point work of a GRU, counting only the GEMMs (the elementwise gates are O(T*B*H)). */

export interface GruShape {
  seq: number;
  batch: number;
  input: number;
  hidden: number;
  layers: number;
  directions?: number;
}

/** Forward: per layer and direction 2*T*B*3H*(I_l + H); layers after the first see D*H inputs. */
export function gruForwardFlops(s: GruShape): number {
  const d = s.directions ?? 1;
  let flops = 0;
  for (let layer = 0; layer < s.layers; layer++) {
    const inputSize = layer === 0 ? s.input : d * s.hidden;
    flops += d * 2 * s.seq * s.batch * 3 * s.hidden * (inputSize + s.hidden);
  }
  return flops;
}

/**
 * Backward runs two GEMMs per forward GEMM (the weight gradient and the gradient of its other
 * operand), so forward+backward is 3x forward, less the first layer's input-gradient GEMM when
 * the input needs no gradient.
 */
export function gruForwardBackwardFlops(s: GruShape, inputGradient: boolean): number {
  const firstLayerInput = (s.directions ?? 1) * 2 * s.seq * s.batch * 3 * s.hidden * s.input;
  return 3 * gruForwardFlops(s) - (inputGradient ? 0 : firstLayerInput);
}

export function gflops(flops: number, ms: number): number {
  return flops / (ms * 1e6);
}
