#!/usr/bin/python3
"""PyTorch CPU peer for bench/gemm.ts: times float32 torch.mm on transposed views, as BLAS sees them.

    /usr/bin/python3 bench/peers/torch_gemm.py '{"threads": 1, "warmup": 2, "repeats": 10, "shapes": [...]}'

Each shape is {"m", "n", "k", "transA", "transB"}: A is stored [k, m] when transA, B [n, k] when
transB, and the product is C[m, n] = op(A) op(B). Prints one JSON object with a median per shape.
"""
import json
import statistics
import sys
import time

import torch


def main():
    config = json.loads(sys.argv[1])
    torch.set_num_threads(config['threads'])
    torch.manual_seed(0)
    results = []
    for shape in config['shapes']:
        m, n, k = shape['m'], shape['n'], shape['k']
        a = torch.randn(k, m) if shape['transA'] else torch.randn(m, k)
        b = torch.randn(n, k) if shape['transB'] else torch.randn(k, n)
        left = a.t() if shape['transA'] else a
        right = b.t() if shape['transB'] else b
        out = torch.empty(m, n)
        samples = []
        for i in range(config['warmup'] + config['repeats']):
            start = time.perf_counter()
            torch.mm(left, right, out=out)
            elapsed = time.perf_counter() - start
            if i >= config['warmup']:
                samples.append(elapsed * 1000.0)
        results.append({'medianMs': statistics.median(samples), 'minMs': min(samples)})
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': results}))


if __name__ == '__main__':
    main()
