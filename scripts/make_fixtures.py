#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures under test/fixtures/ (committed, so CI needs no torch).

    /usr/bin/python3 scripts/make_fixtures.py        # Debian: apt-get install -y python3-torch

test/fixtures/gru/<case>-<dtype>.safetensors holds inputs, parameters (PyTorch names), outputs
and gradients of L = sum(output * dy) + sum(h_n * dh_n) for one GRU configuration.
test/fixtures/safetensors/python-written.safetensors checks our reader against Python's
json and struct. test/fixtures/training/training.json (scripts/training_fixtures.py) holds the
losses, layers, optimizers and clipping; test/fixtures/schedulers/schedulers.json
(scripts/make_scheduler_fixtures.py) the learning-rate schedulers. Deterministic: the same torch writes the same bytes.
"""
import argparse
import json
import math
import os
import struct
import sys
import time
import zlib

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_scheduler_fixtures  # noqa: E402  (modules beside this one)
import training_fixtures  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_FORMAT = 'gru-native-fixture'
FIXTURE_VERSION = '1'
GENERATOR = 'scripts/make_fixtures.py'

# ---- safetensors writer ----------------------------------------------------------------
# Laid out like the Rust writer behind the `safetensors` package (not in Debian bookworm):
# tensors by descending dtype rank then name, compact JSON, header padded with spaces to 8.

SAFETENSORS_DTYPES = {  # torch dtype -> (name, rank in the Rust Dtype enum, struct code)
    torch.float16: ('F16', 7, 'h'),
    torch.bfloat16: ('BF16', 8, 'h'),
    torch.int32: ('I32', 9, 'i'),
    torch.float32: ('F32', 11, 'f'),
    torch.float64: ('F64', 12, 'd'),
    torch.int64: ('I64', 13, 'q'),
}


def tensor_bytes(tensor):
    name, _, code = SAFETENSORS_DTYPES[tensor.dtype]
    flat = tensor.detach().contiguous().reshape(-1)
    if name in ('F16', 'BF16'):
        flat = flat.view(torch.int16)  # the raw bits; struct has no bfloat16
    return struct.pack('<%d%s' % (flat.numel(), code), *flat.tolist())


def write_safetensors(path, tensors, metadata=None):
    order = sorted(tensors, key=lambda n: (-SAFETENSORS_DTYPES[tensors[n].dtype][1], n.encode('utf-8')))
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header['__metadata__'] = metadata
    for name in order:
        data = tensor_bytes(tensors[name])
        header[name] = {
            'dtype': SAFETENSORS_DTYPES[tensors[name].dtype][0],
            'shape': list(tensors[name].shape),
            'data_offsets': [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))
    return 8 + len(text) + offset


# ---- cases -----------------------------------------------------------------------------

def case(name, kind='gru', I=4, H=5, L=1, bidirectional=False, bias=True, batch_first=False,
         T=5, B=3, h0=False, lengths=None, float32=False):
    return dict(name=name, kind=kind, inputSize=I, hiddenSize=H, numLayers=L,
                bidirectional=bidirectional, bias=bias, batchFirst=batch_first,
                seqLen=T, batch=B, hasH0=h0, lengths=lengths,
                dtypes=['float64', 'float32'] if float32 else ['float64'])


CASES = [
    case('basic', I=5, H=7, T=6, B=3, float32=True),
    case('batch_first_h0', I=4, H=8, T=5, B=2, batch_first=True, h0=True),
    case('bidir2', L=2, bidirectional=True, I=3, H=5, T=4, B=3, h0=True, float32=True),
    case('three_layers', L=3, I=6, H=33, T=5, B=2),
    case('hidden1', I=1, H=1, T=7, B=4),
    case('seq1_bidir', T=1, B=3, I=4, H=6, bidirectional=True),
    case('batch1', B=1, T=9, I=3, H=7, L=2),
    case('no_bias', bias=False, L=2, I=4, H=5, T=4, B=2, h0=True),
    case('varlen_bidir', lengths=[3, 6, 1, 4], T=6, B=4, L=2, bidirectional=True, batch_first=True,
         h0=True, I=3, H=5, float32=True),
    case('varlen_uni', lengths=[5, 2, 5], I=4, H=6, T=5, B=3),
    case('cell', kind='gru_cell', I=5, H=7, T=1, B=3, h0=True, float32=True),
    case('cell_no_h', kind='gru_cell', I=5, H=7, T=1, B=3, bias=False),
    case('reset_before_uni', kind='gru_reset_before', I=4, H=6, T=5, B=3, h0=True),
    case('reset_before_bidir', kind='gru_reset_before', L=2, bidirectional=True, lengths=[4, 2, 5],
         batch_first=True, I=3, H=5, T=5, B=3, float32=True),
]

CONFIG_KEYS = ['kind', 'inputSize', 'hiddenSize', 'numLayers', 'bidirectional', 'bias', 'batchFirst',
               'seqLen', 'batch', 'hasH0', 'lengths']


def randn(shape, dtype):
    # Drawn in float64 and rounded, so a float32 fixture is its float64 twin rounded.
    return torch.randn(shape, dtype=torch.float64).to(dtype)


def step_mask(c):
    """valid[t, b] (seq-first, [T, B, 1]): step t is inside sequence b."""
    lengths = c['lengths'] or [c['seqLen']] * c['batch']
    return torch.tensor([[t < n for n in lengths] for t in range(c['seqLen'])]).unsqueeze(-1)


def to_layout(seq_first, c):
    return seq_first.transpose(0, 1) if c['batchFirst'] else seq_first


# ---- the GRU as explicit autograd ops ----------------------------------------------------

def gru_step(gi, h, w_hh, b_hh, reset_after):
    i_r, i_z, i_n = gi.chunk(3, -1)
    w_r, w_z, w_n = w_hh.chunk(3, 0)
    b_r, b_z, b_n = b_hh.chunk(3, 0) if b_hh is not None else (0, 0, 0)
    r = torch.sigmoid(i_r + h @ w_r.T + b_r)
    z = torch.sigmoid(i_z + h @ w_z.T + b_z)
    if reset_after:
        n = torch.tanh(i_n + r * (h @ w_n.T + b_n))
    else:
        n = torch.tanh(i_n + (r * h) @ w_n.T + b_n)
    return (1 - z) * n + z * h


def explicit_gru(c, x, h0, params, reset_after):
    """nn.GRU's packed-sequence semantics as plain loops: a direction only advances on valid
    steps (so the reverse one starts at each sequence's last valid step) and outputs 0 elsewhere."""
    D = 2 if c['bidirectional'] else 1
    H = c['hiddenSize']
    valid = step_mask(c)
    layer_in = to_layout(x, c)  # seq-first [T, B, in]
    zeros = torch.zeros(c['batch'], H, dtype=x.dtype)
    h_n = []
    for layer in range(c['numLayers']):
        direction_outputs = []
        for d in range(D):
            suffix = '_l%d%s' % (layer, '_reverse' if d else '')
            gi_all = layer_in @ params['weight_ih' + suffix].T
            if c['bias']:
                gi_all = gi_all + params['bias_ih' + suffix]
            h = h0[layer * D + d] if h0 is not None else zeros
            outputs = [None] * c['seqLen']
            steps = range(c['seqLen']) if d == 0 else reversed(range(c['seqLen']))
            for t in steps:
                h_new = gru_step(gi_all[t], h, params['weight_hh' + suffix], params.get('bias_hh' + suffix), reset_after)
                h = torch.where(valid[t], h_new, h)
                outputs[t] = torch.where(valid[t], h, zeros)
            direction_outputs.append(torch.stack(outputs))
            h_n.append(h)
        layer_in = torch.cat(direction_outputs, -1)
    return to_layout(layer_in, c), torch.stack(h_n)


# ---- running one case --------------------------------------------------------------------

def seed_of(name):
    return zlib.crc32(name.encode('utf-8'))


def run_sequence_case(c, dtype, reset_after=True, use_module=True):
    """Inputs, parameters, outputs and gradients of one nn.GRU-shaped case, as a dict."""
    torch.manual_seed(seed_of(c['name']))
    D = 2 if c['bidirectional'] else 1
    L, T, B, I, H = c['numLayers'], c['seqLen'], c['batch'], c['inputSize'], c['hiddenSize']
    gru = nn.GRU(I, H, num_layers=L, bias=c['bias'], batch_first=c['batchFirst'],
                 bidirectional=c['bidirectional']).to(dtype)
    x = randn((B, T, I) if c['batchFirst'] else (T, B, I), dtype).requires_grad_()
    h0 = randn((L * D, B, H), dtype).requires_grad_() if c['hasH0'] else None
    params = dict(gru.named_parameters())

    if not use_module:
        output, h_n = explicit_gru(c, x, h0, params, reset_after)
    elif c['lengths'] is not None:
        lengths = torch.tensor(c['lengths'], dtype=torch.int64)
        packed = pack_padded_sequence(x, lengths, batch_first=c['batchFirst'], enforce_sorted=False)
        packed_output, h_n = gru(packed, h0)
        output, _ = pad_packed_sequence(packed_output, batch_first=c['batchFirst'], total_length=T)
    else:
        output, h_n = gru(x, h0)

    dy = randn(output.shape, dtype) * to_layout(step_mask(c), c).to(dtype)
    dh_n = randn(h_n.shape, dtype)
    ((output * dy).sum() + (h_n * dh_n).sum()).backward()

    tensors = {'x': x, 'output': output, 'h_n': h_n, 'dy': dy, 'dh_n': dh_n, 'grad.x': x.grad}
    if h0 is not None:
        tensors.update({'h0': h0, 'grad.h0': h0.grad})
    for name, p in params.items():
        tensors[name] = p
        tensors['grad.' + name] = p.grad
    return tensors


def run_cell_case(c, dtype):
    torch.manual_seed(seed_of(c['name']))
    B, I, H = c['batch'], c['inputSize'], c['hiddenSize']
    cell = nn.GRUCell(I, H, bias=c['bias']).to(dtype)
    x = randn((B, I), dtype).requires_grad_()
    h0 = randn((B, H), dtype).requires_grad_() if c['hasH0'] else None
    output = cell(x, h0)
    dy = randn(output.shape, dtype)
    (output * dy).sum().backward()
    tensors = {'x': x, 'output': output, 'dy': dy, 'grad.x': x.grad}
    if h0 is not None:
        tensors.update({'h0': h0, 'grad.h0': h0.grad})
    for name, p in cell.named_parameters():
        tensors[name] = p
        tensors['grad.' + name] = p.grad
    return tensors


def check_explicit_matches_module(c):
    """The explicit loop with reset-after math must reproduce nn.GRU (packing included) before
    its reset-before twin is trusted; checked on every sequence case's configuration."""
    module = run_sequence_case(c, torch.float64, use_module=True)
    explicit = run_sequence_case(c, torch.float64, reset_after=True, use_module=False)
    assert module.keys() == explicit.keys(), (sorted(module), sorted(explicit))
    for name in module:
        diff = (module[name] - explicit[name]).abs().max().item() if module[name].numel() else 0.0
        assert diff <= 1e-12, '%s: explicit reset-after GRU differs from nn.GRU in %s by %g' % (c['name'], name, diff)


def fixture_tensors(c, dtype):
    if c['kind'] == 'gru':
        tensors = run_sequence_case(c, dtype)
    elif c['kind'] == 'gru_cell':
        tensors = run_cell_case(c, dtype)
    else:
        tensors = run_sequence_case(c, dtype, reset_after=False, use_module=False)
    if c['lengths'] is not None:
        tensors['lengths'] = torch.tensor(c['lengths'], dtype=torch.int32)
    return {name: t.detach() for name, t in tensors.items()}


# ---- the safetensors cross-check file ----------------------------------------------------

def python_written_tensors():
    """Values the TS test knows by heart, one tensor per dtype and edge case."""
    inf, nan = math.inf, math.nan
    return {
        'f32': (torch.arange(12, dtype=torch.float32) / 8 - 0.75).reshape(3, 4),
        'f64': torch.tensor([math.pi, -1e-300, 1e300, 0.1, 5e-324, -7.0], dtype=torch.float64).reshape(2, 3),
        'i32': torch.tensor([0, -1, 2 ** 31 - 1, -2 ** 31, 42], dtype=torch.int32),
        'i64': torch.tensor([[-2 ** 31, 2 ** 31 - 1, 0], [-1, 42, 7]], dtype=torch.int64),
        'f16': torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0 ** -24, 2.0 ** -14, inf, -inf, nan], dtype=torch.float16),
        'bf16': torch.tensor([1.0, -2.0, 3.140625, 2.0 ** 100, -(2.0 ** -100), inf, nan, 0.0], dtype=torch.bfloat16),
        'scalar': torch.tensor(2.5, dtype=torch.float64),
        'empty': torch.zeros(0, 3, dtype=torch.float32),
        'layer.0.weight': torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float32),
    }


# ---- main ------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures'), help='fixtures folder')
    args = parser.parse_args()
    started = time.time()
    torch.set_num_threads(1)  # bit-identical reruns: no thread-count-dependent reductions

    gru_dir = os.path.join(args.out, 'gru')
    safetensors_dir = os.path.join(args.out, 'safetensors')
    os.makedirs(gru_dir, exist_ok=True)
    os.makedirs(safetensors_dir, exist_ok=True)

    for c in CASES:
        if c['kind'] != 'gru_cell':
            check_explicit_matches_module(c)

    written, total_bytes = set(), 0
    for c in CASES:
        for dtype_name in c['dtypes']:
            config = {key: c[key] for key in CONFIG_KEYS}
            config['dtype'] = dtype_name
            metadata = {
                'format': FIXTURE_FORMAT,
                'version': FIXTURE_VERSION,
                'generator': GENERATOR,
                'torch': torch.__version__,
                'config': json.dumps(config),
            }
            file_name = '%s-%s.safetensors' % (c['name'], dtype_name)
            tensors = fixture_tensors(c, getattr(torch, dtype_name))
            total_bytes += write_safetensors(os.path.join(gru_dir, file_name), tensors, metadata)
            written.add(file_name)

    for stale in sorted(set(os.listdir(gru_dir)) - written):
        if stale.endswith('.safetensors'):
            os.remove(os.path.join(gru_dir, stale))

    total_bytes += write_safetensors(os.path.join(safetensors_dir, 'python-written.safetensors'), python_written_tensors(),
                                     {'format': 'pt', 'written_by': GENERATOR})
    training_path, training_bytes = training_fixtures.write(os.path.join(args.out, 'training'))
    total_bytes += training_bytes
    total_bytes += make_scheduler_fixtures.write(args.out)[1]
    print('make_fixtures: wrote %d GRU fixtures + 1 safetensors fixture (%.1f KiB) to %s with torch %s in %.1f s'
          % (len(written), total_bytes / 1024, os.path.relpath(args.out, os.getcwd()), torch.__version__, time.time() - started))


if __name__ == '__main__':
    sys.exit(main())
