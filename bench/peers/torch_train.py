#!/usr/bin/python3
"""PyTorch CPU peer for bench/train.ts: the same training steps, timed the same way.

    /usr/bin/python3 bench/peers/torch_train.py '{"threads": 1, "scenarios": [{"name": "W", "warmup": 1, "repeats": 5}]}'

Prints one JSON object: medians of a full step (forward, loss, backward, clip_grad_norm_,
Adam.step, zero_grad, loss.item()), a per-phase split, and the process's peak RSS.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def stats(samples):
    ms = sorted(s * 1000.0 for s in samples)
    p90 = ms[min(len(ms) - 1, max(0, math.ceil(0.9 * len(ms)) - 1))]
    return {'medianMs': statistics.median(ms), 'minMs': ms[0], 'p90Ms': p90, 'repeats': len(ms)}


class WordLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(10000, 300)
        self.gru = nn.GRU(300, 512, num_layers=2)
        self.fc = nn.Linear(512, 10000)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru1 = nn.GRU(128, 64, batch_first=True)
        self.gru2 = nn.GRU(64, 32, batch_first=True)
        self.fc = nn.Linear(32, 1)


def sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def finish_step(model, opt, loss, max_norm, mark):
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    mark('clip')
    opt.step()
    opt.zero_grad(set_to_none=False)
    value = loss.item()
    mark('optimizer')
    return value


def word_step(device):
    model = WordLM().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    tokens = ((torch.arange(36 * 20) * 7919 % 10000).reshape(36, 20)).to(device)
    x, y = tokens[:35], tokens[1:].reshape(-1)
    state = {'hidden': None}

    def run(mark):
        out, h = model.gru(model.embedding(x), state['hidden'])
        mark('forward GRU')
        logits = model.fc(out)
        mark('forward Linear + embedding')
        loss = F.cross_entropy(logits.reshape(-1, 10000), y)
        mark('loss')
        loss.backward()
        mark('backward')
        state['hidden'] = h.detach()
        return finish_step(model, opt, loss, 0.25, mark)
    return run


def classifier_step(device):
    model = Classifier().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(32, 100, 128, device=device)
    y = (torch.rand(32, 1, device=device) >= 0.5).float()

    def run(mark):
        h, _ = model.gru1(x)
        _, last = model.gru2(h)
        mark('forward GRU')
        logits = model.fc(last.reshape(32, 32))
        mark('forward Linear + embedding')
        loss = F.binary_cross_entropy_with_logits(logits, y)
        mark('loss')
        loss.backward()
        mark('backward')
        return finish_step(model, opt, loss, 1.0, mark)
    return run


def main():
    config = json.loads(sys.argv[1])
    torch.set_num_threads(config['threads'])
    torch.manual_seed(0)
    device = config.get('device', 'cpu')
    results = []
    for s in config['scenarios']:
        run = word_step(device) if s['name'] == 'W' else classifier_step(device)
        samples = []
        for i in range(s['warmup'] + s['repeats']):
            start = time.perf_counter()
            run(lambda phase: None)
            if i >= s['warmup']:
                samples.append(time.perf_counter() - start)
        phases = {}
        for _ in range(max(2, s['repeats'] // 2)):
            last = [time.perf_counter()]

            def mark(phase):
                sync(device)
                now = time.perf_counter()
                phases.setdefault(phase, []).append((now - last[0]) * 1000.0)
                last[0] = time.perf_counter()
            run(mark)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        results.append(dict(stats(samples), scenario=s['name'], phases={k: statistics.median(v) for k, v in phases.items()},
                            peakRssMiB=round(peak)))
    print(json.dumps({'torch': torch.__version__, 'threads': config['threads'], 'results': results}))


if __name__ == '__main__':
    main()
