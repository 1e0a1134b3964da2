/**
 * The GRU's parameter blocks in the flat order of Note [GRU weight layout] (native/ops/gru_layout.h):
 * per layer, per direction, weight_ih [3H, in], weight_hh [3H, H], then bias_ih and bias_hh [3H].
 */
export interface GruShape {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  bias: boolean;
}

export interface GruParameterBlock {
  name: string;
  shape: number[];
  layer: number;
  direction: number;
  /** Where the block starts in the flat buffer. */
  offset: number;
}

/** The blocks, made one at a time; `cellNames` drops the `_l0` suffixes (GRUCell's names). */
export function* gruParameterBlocks(o: GruShape, cellNames = false): Generator<GruParameterBlock> {
  const directions = o.bidirectional ? 2 : 1;
  const H = o.hiddenSize;
  let offset = 0;
  for (let layer = 0; layer < o.numLayers; layer++) {
    const inputSize = layer === 0 ? o.inputSize : directions * H;
    for (let direction = 0; direction < directions; direction++) {
      const suffix = cellNames ? '' : `_l${layer}${direction === 1 ? '_reverse' : ''}`;
      const shapes: [string, number[]][] = [[`weight_ih${suffix}`, [3 * H, inputSize]], [`weight_hh${suffix}`, [3 * H, H]]];
      if (o.bias) shapes.push([`bias_ih${suffix}`, [3 * H]], [`bias_hh${suffix}`, [3 * H]]);
      for (const [name, shape] of shapes) {
        yield { name, shape, layer, direction, offset };
        offset += shape.reduce((a, b) => a * b, 1);
      }
    }
  }
}
