/** keras.layers.embedding: inputDim, outputDim, embeddingsInitializer (Keras: uniform +-0.05). */
import { checkInteger, checkOptions, optionalBoolean } from '../../arguments';
import { noGrad } from '../../autograd/grad-mode';
import { ArgumentError } from '../../errors';
import { Embedding as EmbeddingModule } from '../../nn/embedding';
import { cast } from '../../ops/cast';
import { copyInPlace } from '../../ops/inplace';
import type { Tensor } from '../../tensor';
import { checkInitializer, initialize, type InitializerName } from '../initializers';
import { LAYER_OPTIONS, Layer, type KerasWeight, type LayerOptions, type Placement } from './layer';
import { checkWeightCount, checkWeightShape } from './weights';

export interface EmbeddingLayerOptions extends LayerOptions {
  inputDim: number;
  outputDim: number;
  embeddingsInitializer?: InitializerName;
  /** Keras's masking of index 0; not implemented yet (an error when true). */
  maskZero?: boolean;
}

export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  private readonly initializer: InitializerName;
  private embedding: EmbeddingModule | null = null;

  constructor(options: EmbeddingLayerOptions) {
    const o = checkOptions(options, [...LAYER_OPTIONS, 'inputDim', 'outputDim', 'embeddingsInitializer', 'maskZero'], 'embedding options');
    super(o, 'embedding', 'Embedding');
    this.inputDim = checkInteger(o.inputDim, 'embedding options.inputDim', 1);
    this.outputDim = checkInteger(o.outputDim, 'embedding options.outputDim', 1);
    this.initializer = checkInitializer(o.embeddingsInitializer, 'embedding options.embeddingsInitializer', 'randomUniform');
    if (optionalBoolean(o.maskZero, false, 'embedding options.maskZero')) {
      throw new ArgumentError('embedding options.maskZero: masks are not implemented yet (pass lengths to a GRU through the PyTorch face meanwhile)');
    }
  }

  get module(): EmbeddingModule | null {
    return this.embedding;
  }

  protected buildWeights(_inputShape: number[], p: Placement): void {
    this.embedding = new EmbeddingModule({ numEmbeddings: this.inputDim, embeddingDim: this.outputDim, dtype: p.dtype, device: p.device, generator: p.generator });
    const table = initialize(this.initializer, [this.inputDim, this.outputDim], p);
    noGrad(() => copyInPlace(this.embedding!.weight, table));
    table.dispose();
  }

  outputShape(inputShape: number[]): number[] {
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
