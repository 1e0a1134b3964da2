#!/usr/bin/python3
"""PyTorch peer for bench/keras.ts: the tutorial's Keras model T, trained the way Keras's fit does.

    /usr/bin/python3 bench/peers/torch_keras.py '{"threads": 1, "device": "cpu", "plan": {"T": {...}}}'

nn.GRU(batch_first) x2 -> Linear -> softmax with Keras's categorical cross-entropy (renormalise,
clip to [1e-7, 1 - 1e-7], -sum(y log p) averaged over the batch), torch.optim.Adam with Keras's
epsilon 1e-7, batches in order (shuffle false), the epoch's loss summed on the device and read
once per epoch as Keras does. Prints one JSON object with the per-batch step medians.
"""
import json
import math
import resource
import statistics
import sys
import time

import torch
from torch import nn

EPSILON = 1e-7


def stats(samples):
    ms = sorted(s * 1000.0 for s in samples)
    p90 = ms[min(len(ms) - 1, max(0, math.ceil(0.9 * len(ms)) - 1))]
    return {'medianMs': statistics.median(ms), 'minMs': ms[0], 'p90Ms': p90, 'repeats': len(ms)}


class Classifier(nn.Module):
    def __init__(self, features, units, classes):
        super().__init__()
        self.gru1 = nn.GRU(features, units, batch_first=True)
        self.gru2 = nn.GRU(units, units, batch_first=True)
        self.fc = nn.Linear(units, classes)

    def forward(self, x):
        h, _ = self.gru1(x)
        _, last = self.gru2(h)
        return torch.softmax(self.fc(last[0]), dim=-1)


def keras_categorical_crossentropy(y_true, y_pred):
    p = (y_pred / y_pred.sum(-1, keepdim=True)).clamp(EPSILON, 1 - EPSILON)
    return -(y_true * p.log()).sum(-1).mean()


def sync(device):
    if device == 'cuda':
        torch.cuda.synchronize()


def main():
    config = json.loads(sys.argv[1])
    torch.set_num_threads(config['threads'])
    torch.manual_seed(0)
    device = config.get('device', 'cpu')
    t = config['plan']['T']
    rows = t['batch'] * t['batchesPerEpoch']
    x = torch.randn(rows, t['seq'], t['features'], device=device)
    y = nn.functional.one_hot(torch.randint(t['classes'], (rows,)), t['classes']).float().to(device)
    model = Classifier(t['features'], t['units'], t['classes']).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=EPSILON)

    def epoch(samples):
        total = torch.zeros((), device=device)
        sync(device)
        last = time.perf_counter()
        for start in range(0, rows, t['batch']):
            xb, yb = x[start:start + t['batch']], y[start:start + t['batch']]
            loss = keras_categorical_crossentropy(yb, model(xb))
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=False)
            total += loss.detach() * xb.shape[0]
            sync(device)
            now = time.perf_counter()
            samples.append(now - last)
            last = now
        return total.item() / rows

    for _ in range(t['warmupEpochs']):
        epoch([])
    samples = []
    loss = float('nan')
    for _ in range(t['timedEpochs']):
        loss = epoch(samples)
    step = stats(samples)
    params = sum(p.numel() for p in model.parameters())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({'framework': 'torch', 'version': torch.__version__, 'threads': config['threads'], 'device': device,
                      'params': params, 'T': {'step': step, 'epochMs': step['medianMs'] * t['batchesPerEpoch'], 'lastLoss': loss},
                      'peakRssMiB': round(peak)}))


if __name__ == '__main__':
    main()
