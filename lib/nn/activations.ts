/** Activation and dropout modules (torch.nn.ReLU, ..., torch.nn.Dropout): thin wrappers of the ops. */
import { checkOptions } from '../arguments';
import type { Generator } from '../random';
import { dropout, checkProbability } from '../ops/dropout';
import { softmax, logSoftmax } from '../ops/softmax';
import { gelu, relu, sigmoid, tanh } from '../ops/unary';
import type { Tensor } from '../tensor';
import { Module } from './module';

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}
export class GELU extends Module {
  forward(x: Tensor): Tensor { return gelu(x); }
}

export interface DimOptions {
  /** The dimension the softmax runs along. */
  dim: number;
}

export class Softmax extends Module {
  readonly dim: number;
  constructor(options: DimOptions) {
    super();
    this.dim = checkOptions(options, ['dim'], 'Softmax options').dim as number;
  }
  forward(x: Tensor): Tensor { return softmax(x, this.dim); }
}

export class LogSoftmax extends Module {
  readonly dim: number;
  constructor(options: DimOptions) {
    super();
    this.dim = checkOptions(options, ['dim'], 'LogSoftmax options').dim as number;
  }
  forward(x: Tensor): Tensor { return logSoftmax(x, this.dim); }
}

export interface DropoutOptions {
  /** Probability of zeroing an element (default 0.5). */
  p?: number;
  generator?: Generator;
}

/** Active in training mode only (train() / eval()). */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator?: Generator;
  constructor(options?: DropoutOptions) {
    super();
    const o = checkOptions(options, ['p', 'generator'], 'Dropout options');
    this.p = checkProbability(o.p ?? 0.5, 'Dropout options.p');
    this.generator = o.generator;
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training, this.generator); }
}
