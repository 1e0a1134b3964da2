#!/usr/bin/python3
"""Keras model files in Keras's documented layouts, for test/keras-files.test.ts, written with
Debian's python3-h5py (there is no Keras on this machine) and the expected predictions computed
with torch from Keras's GRU equations (kernel [I, 3U] and recurrent_kernel [U, 3U] in gates z, r, h;
bias [2, 3U] for reset_after, [3U] before; Keras 3's hard_sigmoid relu6(x + 3) / 6, Keras 2's
clip(0.2 x + 0.5, 0, 1)).

    /usr/bin/python3 scripts/keras_fixtures.py   # writes test/fixtures/keras/
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'keras')


def activation(name, keras3):
    return {
        'tanh': torch.tanh, 'sigmoid': torch.sigmoid, 'relu': torch.relu, 'linear': lambda v: v,
        'hard_sigmoid': (lambda v: torch.clamp((v + 3) / 6, 0, 1)) if keras3 else (lambda v: torch.clamp(0.2 * v + 0.5, 0, 1)),
    }[name]


def keras_gru(x, kernel, recurrent, bias, units, reset_after, act, rec_act, return_sequences):
    """Keras's GRU (implementation 2) over x [B, T, I]."""
    B, T, _ = x.shape
    h = torch.zeros(B, units, dtype=torch.float64)
    outputs = []
    input_bias = bias[0] if reset_after else bias
    for t in range(T):
        mx = x[:, t] @ kernel + input_bias
        xz, xr, xh = mx[:, :units], mx[:, units:2 * units], mx[:, 2 * units:]
        if reset_after:
            mi = h @ recurrent + bias[1]
            rz, rr, rh = mi[:, :units], mi[:, units:2 * units], mi[:, 2 * units:]
            z, r = rec_act(xz + rz), rec_act(xr + rr)
            hh = act(xh + r * rh)
        else:
            mi = h @ recurrent[:, :2 * units]
            z, r = rec_act(xz + mi[:, :units]), rec_act(xr + mi[:, units:])
            hh = act(xh + (r * h) @ recurrent[:, 2 * units:])
        h = z * h + (1 - z) * hh
        outputs.append(h)
    return torch.stack(outputs, 1) if return_sequences else h


def weights(rng, *shape):
    return rng.uniform(-0.6, 0.6, size=shape).astype(np.float32)


def layer_entry(class_name, config, input_shape):
    return {'module': 'keras.layers', 'class_name': class_name, 'config': config, 'registered_name': None,
            'build_config': {'input_shape': input_shape}}


def gru_config(name, units, activation_name, recurrent, reset_after, return_sequences):
    return {'name': name, 'trainable': True, 'dtype': {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None},
            'return_sequences': return_sequences, 'return_state': False, 'go_backwards': False, 'stateful': False, 'unroll': False,
            'zero_output_for_mask': False, 'units': units, 'activation': activation_name, 'recurrent_activation': recurrent, 'use_bias': True,
            'kernel_initializer': {'module': 'keras.initializers', 'class_name': 'GlorotUniform', 'config': {'seed': None}, 'registered_name': None},
            'recurrent_initializer': {'module': 'keras.initializers', 'class_name': 'Orthogonal', 'config': {'gain': 1.0, 'seed': None}, 'registered_name': None},
            'bias_initializer': {'module': 'keras.initializers', 'class_name': 'Zeros', 'config': {}, 'registered_name': None},
            'kernel_regularizer': None, 'recurrent_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None,
            'kernel_constraint': None, 'recurrent_constraint': None, 'bias_constraint': None, 'dropout': 0.0, 'recurrent_dropout': 0.0,
            'reset_after': reset_after, 'seed': None}


def keras3_file(path, rng):
    """Input(7, 3) -> GRU(5, return_sequences) -> GRU(4, relu, hard_sigmoid) -> Dense(3, softmax)."""
    I, T = 3, 7
    g1 = [weights(rng, I, 15), weights(rng, 5, 15), weights(rng, 2, 15)]
    g2 = [weights(rng, 5, 12), weights(rng, 4, 12), weights(rng, 2, 12)]
    dense = [weights(rng, 4, 3), weights(rng, 3)]
    layers = [
        {'module': 'keras.layers', 'class_name': 'InputLayer', 'config': {'batch_shape': [None, T, I], 'dtype': 'float32', 'sparse': False, 'ragged': False, 'name': 'input_layer', 'optional': False}, 'registered_name': None},
        layer_entry('GRU', gru_config('encoder', 5, 'tanh', 'sigmoid', True, True), [None, T, I]),
        layer_entry('GRU', gru_config('summary', 4, 'relu', 'hard_sigmoid', True, False), [None, T, 5]),
        layer_entry('Dense', {'name': 'head', 'trainable': True, 'units': 3, 'activation': 'softmax', 'use_bias': True,
                              'kernel_initializer': None, 'bias_initializer': None, 'kernel_regularizer': None, 'bias_regularizer': None,
                              'kernel_constraint': None, 'bias_constraint': None}, [None, 4]),
    ]
    config = {'module': 'keras', 'class_name': 'Sequential', 'config': {'name': 'sequential', 'trainable': True, 'dtype': 'float32', 'layers': layers},
              'registered_name': None, 'build_config': {'input_shape': [None, T, I]}}
    h5 = io.BytesIO()
    with h5py.File(h5, 'w') as f:
        # Keras 3 keys layers by snake_case class name (gru, gru_1, dense), not by layer name.
        for key, values in [('layers/gru/cell', g1), ('layers/gru_1/cell', g2), ('layers/dense', dense)]:
            group = f.create_group(key + '/vars')
            for i, v in enumerate(values):
                group.create_dataset(str(i), data=v)
        f.create_group('layers/gru/vars')
        f.create_group('layers/gru_1/vars')
        f.create_group('vars')
    with zipfile.ZipFile(path, 'w') as z:
        # Fixed entry times, so a rerun writes the same archive.
        entry = lambda name: zipfile.ZipInfo(name, date_time=(2026, 12, 1, 0, 0, 0))
        z.writestr(entry('metadata.json'), json.dumps({'keras_version': '3.5.0', 'date_saved': '2026-12-01@00:00:00'}))
        z.writestr(entry('config.json'), json.dumps(config))
        z.writestr(entry('model.weights.h5'), h5.getvalue())
    x = torch.tensor(rng.uniform(-1, 1, size=(2, T, I)), dtype=torch.float64)
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    y = keras_gru(x, t(g1[0]), t(g1[1]), t(g1[2]), 5, True, torch.tanh, torch.sigmoid, True)
    y = keras_gru(y, t(g2[0]), t(g2[1]), t(g2[2]), 4, True, torch.relu, activation('hard_sigmoid', True), False)
    y = torch.softmax(y @ t(dense[0]) + t(dense[1]), -1)
    return {'x': x.flatten().tolist(), 'xShape': [2, T, I], 'y': y.flatten().tolist(), 'yShape': list(y.shape)}


def legacy_file(path, rng):
    """tf.keras 2 .h5: Embedding(6, 3) -> GRU(4, reset_after=False, hard_sigmoid) -> Dense(2)."""
    emb = weights(rng, 6, 3)
    g = [weights(rng, 3, 12), weights(rng, 4, 12), weights(rng, 12)]
    dense = [weights(rng, 4, 2), weights(rng, 2)]
    model_config = {'class_name': 'Sequential', 'config': {'name': 'sequential', 'layers': [
        {'class_name': 'Embedding', 'config': {'name': 'embedding', 'trainable': True, 'batch_input_shape': [None, 5], 'input_dim': 6, 'output_dim': 3, 'mask_zero': False}},
        {'class_name': 'GRU', 'config': {'name': 'gru', 'trainable': True, 'units': 4, 'activation': 'tanh', 'recurrent_activation': 'hard_sigmoid',
                                         'use_bias': True, 'reset_after': False, 'return_sequences': False, 'return_state': False,
                                         'go_backwards': False, 'stateful': False, 'unroll': False, 'dropout': 0.0, 'recurrent_dropout': 0.0}},
        {'class_name': 'Dense', 'config': {'name': 'dense', 'trainable': True, 'units': 2, 'activation': 'linear', 'use_bias': True}},
    ]}}
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = '2.11.0'
        f.attrs['backend'] = 'tensorflow'
        f.attrs['model_config'] = json.dumps(model_config)
        mw = f.create_group('model_weights')
        mw.attrs['layer_names'] = [b'dense', b'embedding', b'gru']
        for layer, names, values in [('embedding', ['embedding/embeddings:0'], [emb]),
                                     ('gru', ['gru/gru_cell/kernel:0', 'gru/gru_cell/recurrent_kernel:0', 'gru/gru_cell/bias:0'], g),
                                     ('dense', ['dense/kernel:0', 'dense/bias:0'], dense)]:
            group = mw.create_group(layer)
            group.attrs['weight_names'] = [n.encode() for n in names]
            for n, v in zip(names, values):
                group.create_dataset(n, data=v)
    ids = [[1, 2, 3, 4, 5], [5, 0, 2, 2, 1]]
    t = lambda a: torch.tensor(a, dtype=torch.float64)
    x = t(emb)[torch.tensor(ids)]
    y = keras_gru(x, t(g[0]), t(g[1]), t(g[2]), 4, False, torch.tanh, activation('hard_sigmoid', False), False)
    y = y @ t(dense[0]) + t(dense[1])
    return {'x': [v for row in ids for v in row], 'xShape': [2, 5], 'y': y.flatten().tolist(), 'yShape': list(y.shape)}


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261201)
    expected = {'keras3.keras': keras3_file(os.path.join(OUT, 'keras3.keras'), rng),
                'legacy-keras2.h5': legacy_file(os.path.join(OUT, 'legacy-keras2.h5'), rng)}
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f)
    print('keras_fixtures: wrote %s with h5py %s, torch %s' % (', '.join(expected), h5py.__version__, torch.__version__))


if __name__ == '__main__':
    main()
