/**
 * Keras 3's names for layers in its weights files: not the layers' own names but their classes
 * in snake case (to_snake_case), numbered per model (`gru`, `gru_1`, `dense`), which stay the
 * same from one instance of a model to the next.
 */
import type { Layer } from './layers/layer';

/** `GRU` -> `gru`, `TimeDistributed` -> `time_distributed`. */
export function snakeCase(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Each layer's key: snake_case(class), then _1, _2, ... for repeats. */
export function layerKeys(layers: readonly Layer[]): string[] {
  const seen = new Map<string, number>();
  return layers.map((l) => {
    const base = snakeCase(l.className);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}
