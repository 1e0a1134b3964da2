/**
 * keras.layers.embedding: inputDim, outputDim, embeddingsInitializer (Keras: uniform +-0.05), and
 * maskZero, which marks the steps whose id is 0 as padding for the layers after it (row 0 stays an
 * ordinary trainable row, as in Keras).
 */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import { noGrad } from '../../autograd/grad-mode';
import { ShapeError } from '../../errors';
import { formatShape } from '../../format';
import { Embedding as EmbeddingModule } from '../../nn/embedding';
import { cast } from '../../ops/cast';
import { copyInPlace } from '../../ops/inplace';
import type { Tensor } from '../../tensor';
import { Mask } from '../mask';
import { checkRegularizer, type Regularizer } from '../regularizers';
import { checkInitializer, initialize, type InitializerName } from '../initializers';
import { LAYER_OPTIONS, Layer, type KerasWeight, type LayerOptions, type Placement, type Shape } from './layer';
import { checkWeightCount, checkWeightShape } from './weights';

export interface EmbeddingLayerOptions extends LayerOptions {
  inputDim: number;
  outputDim: number;
  embeddingsInitializer?: InitializerName;
  /** Marks id 0 as padding: the GRU skips those steps and the loss ignores them (Keras's mask_zero). */
  maskZero?: boolean;
  embeddingsRegularizer?: Regularizer | string;
}

export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly regularizer: Regularizer | null;
  private readonly initializer: InitializerName;
  private embedding: EmbeddingModule | null = null;

  constructor(options: EmbeddingLayerOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'inputDim', 'outputDim', 'embeddingsInitializer', 'maskZero', 'embeddingsRegularizer'], 'embedding options');
    super(o, 'embedding', 'Embedding');
    this.inputDim = checkInteger(o.inputDim, 'embedding options.inputDim', 1);
    this.outputDim = checkInteger(o.outputDim, 'embedding options.outputDim', 1);
    this.initializer = checkInitializer(o.embeddingsInitializer, 'embedding options.embeddingsInitializer', 'randomUniform');
    this.maskZero = optionalBoolean(o.maskZero, false, 'embedding options.maskZero');
    this.regularizer = checkRegularizer(o.embeddingsRegularizer, 'embedding options.embeddingsRegularizer');
  }

  protected override regularized(): { regularizer: Regularizer; weights: Tensor[] }[] {
    return this.regularizer && this.embedding ? [{ regularizer: this.regularizer, weights: [this.embedding.weight] }] : [];
  }

  get module(): EmbeddingModule | null {
    return this.embedding;
  }

  protected buildWeights(_inputShape: Shape, p: Placement): void {
    this.embedding = new EmbeddingModule({ numEmbeddings: this.inputDim, embeddingDim: this.outputDim, dtype: p.dtype, device: p.device, generator: p.generator });
    const table = initialize(this.initializer, [this.inputDim, this.outputDim], p);
    noGrad(() => copyInPlace(this.embedding!.weight, table));
    table.dispose();
  }

  outputShape(inputShape: Shape): Shape {
    return [...inputShape, this.outputDim];
  }

  /** Indices as int32 (Keras takes them as floats too). */
  call(x: Tensor): Tensor {
    this.requireBuilt('call');
    if (x.dtype === 'int32') return this.embedding!.forward(x);
    const indices = cast(x, 'int32');
    try {
      return this.embedding!.forward(indices);
    } finally {
      indices.dispose();
    }
  }

  override computeMask(x: Tensor, mask: Mask | null): Mask | null {
    if (!this.maskZero) return mask;
    if (x.ndim !== 2) throw new ShapeError(`${this.name}: maskZero needs ids [batch, steps], got ${formatShape(x.shape)}`);
    return Mask.fromValues(x.dataSync(), x.shape[0], x.shape[1]);
  }

  getWeights(): KerasWeight[] {
    this.requireBuilt('getWeights');
    return [{ name: 'embeddings', tensor: noGrad(() => this.embedding!.weight.mul(1)) }];
  }

  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt('setWeights');
    checkWeightCount(this, weights, 1);
    checkWeightShape(this, 'embeddings', weights[0], [this.inputDim, this.outputDim]);
    noGrad(() => copyInPlace(this.embedding!.weight, weights[0]));
  }

  countParams(): number {
    return this.inputDim * this.outputDim;
  }
}
