#!/usr/bin/python3
"""Loads a safetensors file gru-native wrote into torch.nn.GRU and checks torch computes what
gru-native computed: the file holds the GRU's state dict (PyTorch names), an input `x` and the
expected `output` and `h_n`; the GRU's options come as JSON on the command line. Prints the
largest difference; exits 1 above the tolerance. Needs only Debian's python3-torch (its own
tiny safetensors reader: the `safetensors` package is not in Debian bookworm).

    /usr/bin/python3 scripts/torch_check_safetensors.py FILE '{"input_size": 3, ...}' [TOLERANCE]
"""
import json
import struct
import sys

import torch

DTYPES = {'F32': (torch.float32, 'f', 4), 'F64': (torch.float64, 'd', 8), 'I32': (torch.int32, 'i', 4)}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + length].decode('utf-8'))
    body = data[8 + length:]
    tensors = {}
    for name, spec in header.items():
        if name == '__metadata__':
            continue
        dtype, code, size = DTYPES[spec['dtype']]
        begin, end = spec['data_offsets']
        values = struct.unpack('<%d%s' % ((end - begin) // size, code), body[begin:end])
        tensors[name] = torch.tensor(values, dtype=dtype).reshape(spec['shape'])
    return tensors


def main():
    path, options = sys.argv[1], json.loads(sys.argv[2])
    tolerance = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-5
    tensors = read_safetensors(path)
    x, expected_output, expected_h = tensors.pop('x'), tensors.pop('output'), tensors.pop('h_n')
    gru = torch.nn.GRU(**options).to(x.dtype)
    gru.load_state_dict(tensors)
    with torch.no_grad():
        output, h_n = gru(x)
    difference = max((output - expected_output).abs().max().item(), (h_n - expected_h).abs().max().item())
    print('largest difference %.3g' % difference)
    sys.exit(0 if difference <= tolerance else 1)


if __name__ == '__main__':
    main()
