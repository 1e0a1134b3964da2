#!/usr/bin/env python3
"""PyTorch peer of the GPU benchmark (bench/gru-cuda.ts): times nn.GRU on one device.

    python bench/peers/torch_gru_device.py '{"device": "cuda", "scenarios": [...], "maths": ["fma", "tf32"]}'

Prints one JSON object. 'fma' sets torch.backends.cudnn.allow_tf32 = False (full float32, as
gru-native's default); 'tf32' sets it True (PyTorch's own default). Every rep waits for the
device (torch.cuda.synchronize), as the gru-native side does.
"""
import json
import sys

import torch
from torch import nn

from torch_gru import measure, require  # this file's folder is on sys.path when run as a script


def bench_scenario(device, sc, math_mode):
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    torch.backends.cudnn.allow_tf32 = math_mode == 'tf32'
    torch.manual_seed(0)
    t, b, i, h, layers = sc['seq'], sc['batch'], sc['input'], sc['hidden'], sc['layers']
    gru = nn.GRU(i, h, num_layers=layers).to(device)
    x = torch.randn(t, b, i, device=device)
    label = '%s/%s' % (sc['name'], math_mode)

    with torch.no_grad():
        out, h_n = gru(x)
    require(tuple(out.shape) == (t, b, h) and bool(torch.isfinite(out).all()), label + ': output')
    del out, h_n

    def forward():
        with torch.no_grad():
            gru(x)
        sync()

    def forward_backward():
        out, h_n = gru(x)
        (out.sum() + h_n.sum()).backward()
        sync()

    def zero():
        gru.zero_grad(set_to_none=False)
        sync()

    forward_backward()
    require(all(p.grad is not None and bool(torch.isfinite(p.grad).all()) for p in gru.parameters()), label + ': grads')
    results = []
    for op, run, setup in (('forward', forward, None), ('forwardBackward', forward_backward, zero)):
        results.append({'scenario': sc['name'], 'math': math_mode, 'op': op,
                        **measure(run, sc[op]['warmup'], sc[op]['repeats'], setup)})
    return results


def main():
    config = json.loads(sys.argv[1])
    device = config['device']
    require(device != 'cuda' or torch.cuda.is_available(), 'torch sees no CUDA device')
    results = []
    for sc in config['scenarios']:
        for math_mode in config['maths']:
            print('[torch %s] %s %s' % (device, sc['name'], math_mode), file=sys.stderr)
            results += bench_scenario(device, sc, math_mode)
    cuda = device == 'cuda'
    json.dump({
        'torch': torch.__version__,
        'cuda': torch.version.cuda if cuda else None,
        'cudnn': torch.backends.cudnn.version() if cuda else None,
        'deviceName': torch.cuda.get_device_name(0) if cuda else None,
        'results': results,
    }, sys.stdout)


if __name__ == '__main__':
    main()
