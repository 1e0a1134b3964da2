"""PyTorch reference values for the training stack: losses (values and input gradients),
Linear and Embedding, optimizers over several steps, gradient clipping. Called by
scripts/make_fixtures.py, or run alone (/usr/bin/python3 scripts/training_fixtures.py); writes
test/fixtures/training/training.json.

Numbers are float64 (json round-trips them exactly); float32 cases are computed in float32 by
torch and stored widened. Gradients fed to optimizers are fixed sequences, so the tests check
the update rules alone.
"""
import json
import os

import torch
import torch.nn.functional as F
from torch import nn

DTYPES = {'float32': torch.float32, 'float64': torch.float64}


def gen(seed):
    g = torch.Generator()
    g.manual_seed(seed)
    return g


def rand(shape, dtype, seed, low=-1.0, high=1.0):
    return (torch.rand(shape, generator=gen(seed), dtype=torch.float64) * (high - low) + low).to(dtype)


def enc(t):
    t = t.detach()
    return {'shape': list(t.shape), 'dtype': 'int32' if t.dtype in (torch.int32, torch.int64) else 'float',
            'data': [float(v) if t.dtype.is_floating_point else int(v) for v in t.reshape(-1).tolist()]}


def loss_case(name, fn, inputs, options, torch_call, dtype):
    x = inputs['input'].clone().requires_grad_(True)
    loss = torch_call(x)
    upstream = rand(loss.shape, loss.dtype, 99) if loss.dim() > 0 else torch.ones((), dtype=loss.dtype)
    (loss * upstream).sum().backward()
    case = {'name': name, 'fn': fn, 'dtype': dtype, 'options': options, 'loss': enc(loss), 'upstream': enc(upstream),
            'gradInput': enc(x.grad)}
    for key, value in inputs.items():
        case[key] = enc(value)
    return case


def loss_cases():
    cases = []
    for dn, dt in DTYPES.items():
        x = rand([4, 3], dt, 1)
        y = rand([4, 3], dt, 2)
        for reduction in ('mean', 'sum', 'none'):
            for fn, tf in (('mse', F.mse_loss), ('l1', F.l1_loss)):
                cases.append(loss_case(f'{fn} {reduction}', fn, {'input': x, 'target': y}, {'reduction': reduction},
                                       lambda v, tf=tf, r=reduction: tf(v, y, reduction=r), dn))
            for beta in (1.0, 0.3):
                cases.append(loss_case(f'smoothL1 beta {beta} {reduction}', 'smoothL1', {'input': x * 2, 'target': y},
                                       {'reduction': reduction, 'beta': beta},
                                       lambda v, b=beta, r=reduction: F.smooth_l1_loss(v, y, reduction=r, beta=b), dn))
        p = rand([4, 3], dt, 3, 0.02, 0.98)
        t = rand([4, 3], dt, 4, 0.0, 1.0)
        w = rand([3], dt, 5, 0.5, 2.0)
        for reduction in ('mean', 'sum', 'none'):
            cases.append(loss_case(f'binaryCrossEntropy {reduction}', 'binaryCrossEntropy', {'input': p, 'target': t},
                                   {'reduction': reduction}, lambda v, r=reduction: F.binary_cross_entropy(v, t, reduction=r), dn))
        cases.append(loss_case('binaryCrossEntropy weight', 'binaryCrossEntropy', {'input': p, 'target': t, 'weight': w}, {},
                               lambda v: F.binary_cross_entropy(v, t, weight=w), dn))
        # Saturated probabilities: torch clamps each log at -100.
        edge = torch.tensor([[0.0, 1.0, 0.5]], dtype=dt)
        near = torch.tensor([[1e-30, 0.999999, 0.5]], dtype=dt)
        near_target = torch.tensor([[1.0, 0.0, 1.0]], dtype=dt)
        cases.append(loss_case('binaryCrossEntropy near 0 and 1', 'binaryCrossEntropy', {'input': near, 'target': near_target},
                               {'reduction': 'sum'}, lambda v: F.binary_cross_entropy(v, near_target, reduction='sum'), dn))
        logits = rand([4, 3], dt, 6, -4.0, 4.0) * 3
        pos = rand([3], dt, 7, 0.5, 3.0)
        for reduction in ('mean', 'sum', 'none'):
            cases.append(loss_case(f'binaryCrossEntropyWithLogits {reduction}', 'binaryCrossEntropyWithLogits', {'input': logits, 'target': t},
                                   {'reduction': reduction}, lambda v, r=reduction: F.binary_cross_entropy_with_logits(v, t, reduction=r), dn))
        cases.append(loss_case('binaryCrossEntropyWithLogits posWeight weight', 'binaryCrossEntropyWithLogits',
                               {'input': logits, 'target': t, 'weight': w, 'posWeight': pos}, {},
                               lambda v: F.binary_cross_entropy_with_logits(v, t, weight=w, pos_weight=pos), dn))
        # Class losses: logits [6, 5], targets with an ignored entry.
        scores = rand([6, 5], dt, 8, -3.0, 3.0)
        classes = torch.tensor([0, 4, 2, -1, 1, 4], dtype=torch.int64)
        cw = rand([5], dt, 9, 0.2, 2.0)
        for reduction in ('mean', 'sum', 'none'):
            for weight in (None, cw):
                for smoothing in (0.0, 0.25):
                    options = {'reduction': reduction, 'ignoreIndex': -1, 'labelSmoothing': smoothing}
                    inputs = {'input': scores, 'target': classes}
                    if weight is not None:
                        inputs['weight'] = weight
                    cases.append(loss_case(f'crossEntropy indices {reduction} weight={weight is not None} smoothing={smoothing}', 'crossEntropy',
                                           inputs, options,
                                           lambda v, r=reduction, wt=weight, s=smoothing: F.cross_entropy(v, classes, weight=wt, ignore_index=-1, reduction=r, label_smoothing=s), dn))
                options = {'reduction': reduction, 'ignoreIndex': -1}
                inputs = {'input': F.log_softmax(scores, 1), 'target': classes}
                if weight is not None:
                    inputs['weight'] = weight
                cases.append(loss_case(f'nllLoss {reduction} weight={weight is not None}', 'nllLoss', inputs, options,
                                       lambda v, r=reduction, wt=weight: F.nll_loss(v, classes, weight=wt, ignore_index=-1, reduction=r), dn))
        probs = torch.softmax(rand([6, 5], dt, 10, -2.0, 2.0), 1)
        for reduction in ('mean', 'sum'):
            cases.append(loss_case(f'crossEntropy probabilities {reduction} weight smoothing', 'crossEntropy',
                                   {'input': scores, 'target': probs, 'weight': cw}, {'reduction': reduction, 'labelSmoothing': 0.1},
                                   lambda v, r=reduction: F.cross_entropy(v, probs, weight=cw, reduction=r, label_smoothing=0.1), dn))
        spatial = rand([2, 4, 3], dt, 11, -2.0, 2.0)
        spatial_target = torch.tensor([[0, 3, 1], [2, 2, 0]], dtype=torch.int64)
        cases.append(loss_case('crossEntropy [N, C, d]', 'crossEntropy', {'input': spatial, 'target': spatial_target}, {},
                               lambda v: F.cross_entropy(v, spatial_target), dn))
    return cases


def layer_cases():
    cases = []
    for dn, dt in DTYPES.items():
        x = rand([2, 3, 4], dt, 20)
        w = rand([5, 4], dt, 21)
        b = rand([5], dt, 22)
        xs, ws, bs = (t.clone().requires_grad_(True) for t in (x, w, b))
        out = F.linear(xs, ws, bs)
        up = rand(out.shape, dt, 23)
        (out * up).sum().backward()
        cases.append({'name': 'linear', 'dtype': dn, 'x': enc(x), 'weight': enc(w), 'bias': enc(b), 'upstream': enc(up), 'out': enc(out),
                      'gradX': enc(xs.grad), 'gradWeight': enc(ws.grad), 'gradBias': enc(bs.grad)})
        emb = nn.Embedding(6, 3, padding_idx=2).to(dt)
        with torch.no_grad():
            emb.weight.copy_(rand([6, 3], dt, 24))
            emb.weight[2].zero_()
        idx = torch.tensor([[1, 2, 5], [5, 0, 2]], dtype=torch.int64)
        out = emb(idx)
        up = rand(out.shape, dt, 25)
        (out * up).sum().backward()
        cases.append({'name': 'embedding paddingIdx', 'dtype': dn, 'weight': enc(emb.weight), 'index': enc(idx), 'paddingIdx': 2,
                      'upstream': enc(up), 'out': enc(out), 'gradWeight': enc(emb.weight.grad)})
    return cases


OPTIMIZERS = [
    ('SGD', 'plain', {'lr': 0.1}, {'lr': 0.1}),
    ('SGD', 'momentum', {'lr': 0.1, 'momentum': 0.9}, {'lr': 0.1, 'momentum': 0.9}),
    ('SGD', 'momentum dampening weight decay', {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3, 'weight_decay': 0.1},
     {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3, 'weightDecay': 0.1}),
    ('SGD', 'nesterov maximize', {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'maximize': True},
     {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'maximize': True}),
    ('Adam', 'default', {'lr': 0.01}, {'lr': 0.01}),
    ('Adam', 'weight decay amsgrad', {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1, 'amsgrad': True},
     {'lr': 0.01, 'beta1': 0.8, 'beta2': 0.99, 'eps': 1e-6, 'weightDecay': 0.1, 'amsgrad': True}),
    ('Adam', 'maximize', {'lr': 0.01, 'maximize': True}, {'lr': 0.01, 'maximize': True}),
    ('AdamW', 'default', {'lr': 0.01}, {'lr': 0.01}),
    ('AdamW', 'amsgrad weight decay', {'lr': 0.02, 'weight_decay': 0.3, 'amsgrad': True}, {'lr': 0.02, 'weightDecay': 0.3, 'amsgrad': True}),
    ('RMSprop', 'default', {'lr': 0.01}, {'lr': 0.01}),
    ('RMSprop', 'centered', {'lr': 0.01, 'centered': True}, {'lr': 0.01, 'centered': True}),
    ('RMSprop', 'momentum weight decay', {'lr': 0.01, 'momentum': 0.9, 'weight_decay': 0.05, 'alpha': 0.9},
     {'lr': 0.01, 'momentum': 0.9, 'weightDecay': 0.05, 'alpha': 0.9}),
    ('RMSprop', 'centered momentum', {'lr': 0.01, 'momentum': 0.5, 'centered': True, 'eps': 1e-4},
     {'lr': 0.01, 'momentum': 0.5, 'centered': True, 'eps': 1e-4}),
    ('Adagrad', 'default', {}, {}),
    ('Adagrad', 'lr decay', {'lr': 0.1, 'lr_decay': 0.3}, {'lr': 0.1, 'lrDecay': 0.3}),
    ('Adagrad', 'weight decay', {'lr': 0.05, 'weight_decay': 0.2, 'eps': 1e-6}, {'lr': 0.05, 'weightDecay': 0.2, 'eps': 1e-6}),
    ('Adagrad', 'initial accumulator value', {'lr': 0.1, 'initial_accumulator_value': 0.4},
     {'lr': 0.1, 'initialAccumulatorValue': 0.4}),
    ('Adagrad', 'maximize lr decay weight decay', {'lr': 0.1, 'lr_decay': 0.05, 'weight_decay': 0.1, 'maximize': True},
     {'lr': 0.1, 'lrDecay': 0.05, 'weightDecay': 0.1, 'maximize': True}),
]
STEPS = 6


def optimizer_cases():
    cases = []
    for dn, dt in DTYPES.items():
        for cls, label, torch_options, our_options in OPTIMIZERS:
            params = [rand([3, 4], dt, 30).requires_grad_(True), rand([5], dt, 31).requires_grad_(True)]
            start = [enc(p) for p in params]
            opt = getattr(torch.optim, cls)(params, **torch_options)
            grads, after = [], []
            for step in range(STEPS):
                step_grads = [rand(p.shape, dt, 100 + 10 * step + i) for i, p in enumerate(params)]
                for p, g in zip(params, step_grads):
                    p.grad = g.clone()
                opt.step()
                grads.append([enc(g) for g in step_grads])
                after.append([enc(p) for p in params])
            cases.append({'name': f'{cls} {label}', 'optimizer': cls, 'dtype': dn, 'options': our_options, 'params': start,
                          'grads': grads, 'after': after})
    return cases


def clip_cases():
    cases = []
    for dn, dt in DTYPES.items():
        for norm_type in (2.0, 1.0, 3.0, float('inf')):
            for max_norm in (0.5, 100.0):
                params = [torch.zeros([3, 4], dtype=dt, requires_grad=True), torch.zeros([5], dtype=dt, requires_grad=True)]
                for i, p in enumerate(params):
                    p.grad = rand(p.shape, dt, 40 + i)
                before = [enc(p.grad) for p in params]
                total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
                cases.append({'dtype': dn, 'normType': 'inf' if norm_type == float('inf') else norm_type, 'maxNorm': max_norm,
                              'grads': before, 'total': float(total), 'after': [enc(p.grad) for p in params]})
    return cases


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    document = {'generator': 'scripts/training_fixtures.py', 'torch': torch.__version__, 'losses': loss_cases(), 'layers': layer_cases(),
                'optimizers': optimizer_cases(), 'clip': clip_cases()}
    path = os.path.join(out_dir, 'training.json')
    with open(path, 'w') as f:
        json.dump(document, f, separators=(',', ':'), sort_keys=True)
    return path, os.path.getsize(path)


if __name__ == '__main__':
    # Alone, this writes only training.json (scripts/make_fixtures.py writes every fixture).
    written, size = write(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'test', 'fixtures', 'training'))
    print('training_fixtures: wrote %s (%.1f KiB) with torch %s' % (os.path.relpath(written, os.getcwd()), size / 1024, torch.__version__))
