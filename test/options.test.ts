/** Every options object rejects unknown names, listing the valid ones, with a "did you mean". */
import { describe, expect, it } from 'vitest';

import { ArgumentError, GRU, GRUCell, Tensor } from '../lib/index';

const unknown = (where: string, name: string, guess?: string): RegExp =>
  new RegExp(`${where}: unknown option "${name}"${guess ? `; did you mean "${guess}"\\?` : ''} \\(valid options: `);

describe('options objects', () => {
  it('GRU: PyTorch spellings get a "did you mean"', () => {
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, batch_first: true } as never)).toThrow(unknown('GRU options', 'batch_first', 'batchFirst'));
    expect(() => new GRU({ input_size: 2, hidden_size: 3 } as never)).toThrow(unknown('GRU options', 'input_size', 'inputSize'));
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, numlayers: 2 } as never)).toThrow(unknown('GRU options', 'numlayers', 'numLayers'));
    // nn.RNN's option: a GRU takes activation and recurrentActivation instead.
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu' } as never)).toThrow(unknown('GRU options', 'nonlinearity'));
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu' } as never)).toThrow(ArgumentError);
  });

  it('GRU.forward: hx (PyTorch\'s name) points to h0', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3 });
    const x = Tensor.zeros([1, 1, 2]);
    expect(() => gru.forward(x, { hx: Tensor.zeros([1, 1, 3]) } as never)).toThrow(unknown('GRU.forward options', 'hx', 'h0'));
    expect(() => gru.forward(x, { lenghts: [1] } as never)).toThrow(unknown('GRU.forward options', 'lenghts', 'lengths'));
    gru.dispose();
    x.dispose();
  });

  it('GRUCell refuses GRU-only options by name', () => {
    expect(() => new GRUCell({ inputSize: 2, hiddenSize: 3, bidirectional: true } as never)).toThrow(unknown('GRUCell options', 'bidirectional'));
  });

  it('tensor factories, backward, loadStateDict', () => {
    expect(() => Tensor.zeros([2], { dytpe: 'float64' } as never)).toThrow(unknown('options', 'dytpe', 'dtype'));
    expect(() => Tensor.rand([2], { min: 0 } as never)).toThrow(unknown('options', 'min'));
    expect(() => Tensor.randn([2], { stddev: 2 } as never)).toThrow(unknown('options', 'stddev', 'std'));
    const x = Tensor.ones([1]).requiresGrad_();
    expect(() => x.backward(undefined, { retain_graph: true } as never)).toThrow(unknown('backward\\(\\) options', 'retain_graph', 'retainGraph'));
    const gru = new GRU({ inputSize: 2, hiddenSize: 3 });
    expect(() => gru.loadStateDict({}, { strictly: false } as never)).toThrow(unknown('loadStateDict options', 'strictly', 'strict'));
    expect(() => new GRU({ inputSize: 2, hiddenSize: 3, bias: undefined })).not.toThrow();
    gru.dispose();
    x.dispose();
  });
});
