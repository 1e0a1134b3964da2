#!/usr/bin/python3
"""PyTorch CPU peer for bench/gru.ts: times nn.GRU / nn.GRUCell and prints one JSON object.

    /usr/bin/python3 bench/peers/torch_gru.py '{"threads": 1, "scenarios": [...], "step": {...}}'
    /usr/bin/python3 bench/peers/torch_gru.py --check < case.json   # compare with gru-native

Run with Debian's python3-torch; the harness pins OMP/OPENBLAS/MKL_NUM_THREADS as well.
"""
import json
import math
import statistics
import sys
import time

import torch
from torch import nn


def stats(samples_s):
    ms = sorted(s * 1000.0 for s in samples_s)
    p90 = ms[min(len(ms) - 1, max(0, math.ceil(0.9 * len(ms)) - 1))]
    return {'medianMs': statistics.median(ms), 'minMs': ms[0], 'p90Ms': p90, 'repeats': len(ms)}


def measure(run, warmup, repeats, setup=None):
    samples = []
    for i in range(warmup + repeats):
        if setup:
            setup()
        start = time.perf_counter()
        run()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            samples.append(elapsed)
    return stats(samples)


def require(ok, message):
    if not ok:
        raise SystemExit('%s: validation failed: %s' % (sys.argv[0].rsplit('/', 1)[-1], message))


def bench_scenario(sc):
    t, b, i, h, layers = sc['seq'], sc['batch'], sc['input'], sc['hidden'], sc['layers']
    gru = nn.GRU(i, h, num_layers=layers, batch_first=False)
    x = torch.randn(t, b, i)
    results = []

    # Validate once before timing: shapes and finite values, forward and gradients.
    out, h_n = gru(x)
    require(tuple(out.shape) == (t, b, h) and tuple(h_n.shape) == (layers, b, h), f'{sc["name"]}: shapes')
    (out.sum() + h_n.sum()).backward()
    require(all(p.grad is not None and torch.isfinite(p.grad).all() for p in gru.parameters()), f'{sc["name"]}: grads')
    require(bool(torch.isfinite(out).all()), f'{sc["name"]}: output not finite')

    def forward():
        with torch.no_grad():
            gru(x)

    def forward_backward():
        out, h_n = gru(x)
        (out.sum() + h_n.sum()).backward()

    xg = torch.randn(t, b, i, requires_grad=True)

    def forward_backward_dx():
        out, h_n = gru(xg)
        (out.sum() + h_n.sum()).backward()

    # zero_grad() fills the existing buffers (set_to_none=False), as gru-native's zeroGrad()
    # does; both do it outside the timed region, and drop the input gradient there.
    zero = lambda: gru.zero_grad(set_to_none=False)  # noqa: E731

    def zero_with_input():
        zero()
        xg.grad = None

    timings = (('forward', forward, None, 'forward'), ('forwardBackward', forward_backward, zero, 'forwardBackward'),
               ('forwardBackwardDx', forward_backward_dx, zero_with_input, 'forwardBackward'))
    for op, run, setup, plan in timings:
        if plan in sc:
            r = measure(run, sc[plan]['warmup'], sc[plan]['repeats'], setup)
            results.append({'scenario': sc['name'], 'op': op, **r})
    return results


def bench_step(step):
    cell = nn.GRUCell(step['input'], step['hidden'])
    x = torch.randn(1, step['input'])
    state = {'h': torch.zeros(1, step['hidden'])}
    with torch.no_grad():
        h = cell(x, state['h'])
        require(tuple(h.shape) == (1, step['hidden']) and bool(torch.isfinite(h).all()), 'step')

        def run():
            state['h'] = cell(x, state['h'])

        r = measure(run, step['warmup'], step['repeats'])
    return [{'scenario': step['name'], 'op': 'step', **r}]


def check(case):
    """Loads gru-native's weights and input, returns the max |difference| per quantity."""
    c = case['config']
    gru = nn.GRU(c['input'], c['hidden'], num_layers=c['layers'], batch_first=False).double()
    params = dict(gru.named_parameters())
    require(set(params) == set(case['params']), 'check: parameter names differ: %s' % sorted(case['params']))
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(torch.tensor(case['params'][name], dtype=torch.float64).reshape(p.shape))
    x = torch.tensor(case['x'], dtype=torch.float64).reshape(c['seq'], c['batch'], c['input'])
    out, h_n = gru(x)
    (out.sum() + h_n.sum()).backward()

    def diff(ours, theirs):
        return (torch.tensor(ours, dtype=torch.float64) - theirs.detach().reshape(-1)).abs().max().item()

    result = {'output': diff(case['output'], out), 'hN': diff(case['hN'], h_n)}
    for name, p in params.items():
        result['grad.' + name] = diff(case['grads'][name], p.grad)
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--check':
        torch.set_num_threads(1)
        json.dump({'torch': torch.__version__, 'maxAbsDiff': check(json.load(sys.stdin))}, sys.stdout)
        return
    config = json.loads(sys.argv[1])
    # Before any work: the inter-op pool cannot be resized once used.
    torch.set_num_threads(int(config['threads']))
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    results = []
    # The streaming step first, in a process that has done nothing else yet (as gru-native's
    # worker and the oneDNN peer do): a streaming server does not train in the same process.
    if config.get('step'):
        results += bench_step(config['step'])
    for sc in config.get('scenarios', []):
        results += bench_scenario(sc)
    json.dump({
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'interopThreads': torch.get_num_interop_threads(),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'results': results,
    }, sys.stdout)


if __name__ == '__main__':
    main()
