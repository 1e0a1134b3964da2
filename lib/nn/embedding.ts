/**
 * Embedding (torch.nn.Embedding): rows of a [numEmbeddings, embeddingDim] table picked by int32
 * indices. Weights start N(0, 1); the paddingIdx row starts at zero and never gets a gradient.
 */
import { checkInteger, checkOptions } from '../arguments';
import { GradNode } from '../autograd/node';
import { checkTensor } from '../checks';
import { checkDevice, type Device, type FloatDType } from '../dtype';
import { DTypeError } from '../errors';
import { noGrad } from '../autograd/grad-mode';
import { fillInPlace } from '../ops/inplace';
import { indexSelectAs } from '../ops/indexing';
import { attach, needsGrad } from '../ops/record';
import { defaultGenerator, type Generator } from '../random';
import { keep } from '../scope';
import { Tensor } from '../tensor';
import { resolveFloatDType } from './linear';
import { Module } from './module';

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** A row (negative counts from the end) that is zero and gets no gradient. */
  paddingIdx?: number | null;
  dtype?: FloatDType;
  device?: Device;
  generator?: Generator;
}

const EMBEDDING_OPTIONS = ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'dtype', 'device', 'generator'] as const;

/** Zeroes the padding row of the weight gradient the lookup produced. */
class PaddingNode extends GradNode {
  constructor(input: Tensor, private readonly paddingIdx: number, private readonly embeddingDim: number) {
    super('embeddingBackward', [input]);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const grad = g!.viewAs(g!.shape);
    const row = grad.viewAs([this.embeddingDim], this.paddingIdx * this.embeddingDim, this.embeddingDim);
    noGrad(() => fillInPlace(row, 0));
    row.dispose();
    return [grad];
  }
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Tensor;

  constructor(options: EmbeddingOptions) {
    super();
    const o = checkOptions(options, EMBEDDING_OPTIONS, 'Embedding options');
    this.numEmbeddings = checkInteger(o.numEmbeddings, 'Embedding options.numEmbeddings', 1);
    this.embeddingDim = checkInteger(o.embeddingDim, 'Embedding options.embeddingDim', 0);
    const dtype = resolveFloatDType(o.dtype, 'Embedding options.dtype');
    const device = o.device === undefined ? 'cpu' : checkDevice(o.device, 'Embedding options.device');
    if (o.paddingIdx == null) {
      this.paddingIdx = null;
    } else {
      const p = checkInteger(o.paddingIdx, 'Embedding options.paddingIdx', -this.numEmbeddings, this.numEmbeddings - 1);
      this.paddingIdx = p < 0 ? p + this.numEmbeddings : p;
    }
    this.weight = keep(Tensor.randn([this.numEmbeddings, this.embeddingDim], { dtype, device, generator: o.generator ?? defaultGenerator }));
    if (this.paddingIdx !== null) {
      const row = this.weight.viewAs([this.embeddingDim], this.paddingIdx * this.embeddingDim, this.embeddingDim);
      fillInPlace(row, 0);
      row.dispose();
    }
    this.weight.requiresGrad_();
  }

  /** input: int32 indices of any shape; output [...input.shape, embeddingDim]. */
  forward(input: Tensor): Tensor {
    this.checkAlive();
    checkTensor(input, 'Embedding.forward input');
    if (input.dtype !== 'int32') throw new DTypeError(`Embedding.forward input must be int32 indices, got ${input.dtype}`);
    const flat = input.viewAs([input.numel]);
    try {
      // The padding row's gradient is zeroed by a node between the weight and the lookup.
      let table = this.weight;
      if (this.paddingIdx !== null && needsGrad(this.weight)) {
        table = this.weight.viewAs(this.weight.shape);
        attach(new PaddingNode(this.weight, this.paddingIdx, this.embeddingDim), table);
      }
      const rows = indexSelectAs(table, 0, flat, `Embedding.forward input (numEmbeddings ${this.numEmbeddings})`);
      if (table !== this.weight) table.dispose();
      const out = rows.reshape([...input.shape, this.embeddingDim]);
      rows.dispose();
      return out;
    } finally {
      flat.dispose();
    }
  }

  override toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''})`;
  }
}
