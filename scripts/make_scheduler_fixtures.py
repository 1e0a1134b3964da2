#!/usr/bin/env python3
"""Writes the PyTorch learning-rate scheduler fixture, test/fixtures/schedulers/schedulers.json
(committed, so CI needs no torch).

    /usr/bin/python3 scripts/make_scheduler_fixtures.py        # Debian: apt-get install -y python3-torch

Each case makes SGD with two param groups (lr 0.1 and 0.05), one or more schedulers from
torch.optim.lr_scheduler, and records both groups' lr after construction and after each of 30
epochs (optimizer.step(), then each scheduler's step(), in order; ReduceLROnPlateau is fed the
case's metrics). Some cases set a group's lr by hand between epochs, to check that the recursive
form compounds such edits. Options are written with our camelCase names; a NaN metric is written
as null (JSON has no NaN). Deterministic: the same torch writes the same bytes.
"""
import argparse
import json
import math
import os
import sys

import torch
from torch.optim import lr_scheduler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE_FORMAT = 'gru-native-scheduler-fixture'
FIXTURE_VERSION = '1'
GENERATOR = 'scripts/make_scheduler_fixtures.py'
EPOCHS = 30
GROUP_LRS = [0.1, 0.05]

# Our option names -> torch's keyword arguments.
TORCH_NAMES = {
    'stepSize': 'step_size', 'gamma': 'gamma', 'milestones': 'milestones', 'tMax': 'T_max', 'etaMin': 'eta_min',
    'startFactor': 'start_factor', 'endFactor': 'end_factor', 'totalIters': 'total_iters',
    'mode': 'mode', 'factor': 'factor', 'patience': 'patience', 'threshold': 'threshold',
    'thresholdMode': 'threshold_mode', 'cooldown': 'cooldown', 'minLr': 'min_lr', 'eps': 'eps',
}

NAN = math.nan
# Falls, plateaus (exact repeats and changes below the default rel threshold), a NaN, a rise.
LOSSES = [10, 9, 8, 8, 8, 8, 7.9995, 8, 8, 7, NAN, 7, 7, 7, 6.9, 6.9, 6.9, 6.9, 7, 7.5,
          5, 5, 5, 5, 5, 5, 4.9999, 5, 4, 4]
# The same for 'max' mode, as an accuracy in (0, 1).
ACCURACIES = [1 - x / 20 for x in LOSSES]
# Negated: best is negative, where torch's rel test counts ties (and slight falls) as improvements.
NEGATED = [-x for x in LOSSES]
# Improves twice, then stalls long enough for the default patience of 10.
STALL = [3, 2, 1.5] + [1.5] * 12 + [NAN] + [1.5] * 14
assert len(LOSSES) == len(STALL) == EPOCHS


def one(kind, options):
    return [{'kind': kind, 'options': options}]


CASES = [
    {'name': 'step_3', 'schedulers': one('StepLR', {'stepSize': 3})},
    {'name': 'step_7_half', 'schedulers': one('StepLR', {'stepSize': 7, 'gamma': 0.5})},
    {'name': 'step_4_edited', 'schedulers': one('StepLR', {'stepSize': 4, 'gamma': 0.5}),
     'edits': [{'after': 5, 'group': 0, 'lr': 0.2}, {'after': 13, 'group': 1, 'lr': 0.001}]},
    {'name': 'multistep_repeated', 'schedulers': one('MultiStepLR', {'milestones': [2, 5, 5, 11, 25], 'gamma': 0.5})},
    {'name': 'multistep_zero_unsorted', 'schedulers': one('MultiStepLR', {'milestones': [20, 0, 8]})},
    {'name': 'exponential_09', 'schedulers': one('ExponentialLR', {'gamma': 0.9})},
    {'name': 'exponential_grow', 'schedulers': one('ExponentialLR', {'gamma': 1.05})},
    {'name': 'cosine_10', 'schedulers': one('CosineAnnealingLR', {'tMax': 10})},
    {'name': 'cosine_7_eta', 'schedulers': one('CosineAnnealingLR', {'tMax': 7, 'etaMin': 0.001})},
    {'name': 'cosine_1_eta', 'schedulers': one('CosineAnnealingLR', {'tMax': 1, 'etaMin': 0.01})},
    {'name': 'cosine_6_edited', 'schedulers': one('CosineAnnealingLR', {'tMax': 6, 'etaMin': 0.002}),
     'edits': [{'after': 3, 'group': 0, 'lr': 0.3}, {'after': 9, 'group': 1, 'lr': 0.04}]},
    {'name': 'linear_default', 'schedulers': one('LinearLR', {})},
    {'name': 'linear_warmup_10', 'schedulers': one('LinearLR', {'startFactor': 0.1, 'endFactor': 1, 'totalIters': 10})},
    {'name': 'linear_decay', 'schedulers': one('LinearLR', {'startFactor': 1, 'endFactor': 0.2, 'totalIters': 8})},
    {'name': 'linear_to_zero', 'schedulers': one('LinearLR', {'startFactor': 0.5, 'endFactor': 0, 'totalIters': 4})},
    {'name': 'linear_edited', 'schedulers': one('LinearLR', {'startFactor': 0.25, 'totalIters': 6}),
     'edits': [{'after': 2, 'group': 0, 'lr': 0.05}]},
    # Two schedulers on one optimizer: the cosine's base lrs are the groups' initial lrs, not the warmed-up ones.
    {'name': 'chained_warmup_cosine', 'schedulers': [
        {'kind': 'LinearLR', 'options': {'startFactor': 0.25, 'totalIters': 4}},
        {'kind': 'CosineAnnealingLR', 'options': {'tMax': 12, 'etaMin': 0.001}}]},
    {'name': 'chained_warmup_exponential', 'schedulers': [
        {'kind': 'LinearLR', 'options': {'startFactor': 0.5, 'totalIters': 3}},
        {'kind': 'ExponentialLR', 'options': {'gamma': 0.95}}]},
    {'name': 'plateau_default', 'schedulers': one('ReduceLROnPlateau', {}), 'metrics': STALL},
    {'name': 'plateau_min_rel', 'schedulers': one('ReduceLROnPlateau', {'patience': 2}), 'metrics': LOSSES},
    {'name': 'plateau_min_abs', 'schedulers': one('ReduceLROnPlateau', {'thresholdMode': 'abs', 'threshold': 0.5, 'patience': 1, 'factor': 0.5}),
     'metrics': LOSSES},
    {'name': 'plateau_max_rel_cooldown', 'schedulers': one('ReduceLROnPlateau', {'mode': 'max', 'patience': 2, 'factor': 0.5, 'cooldown': 2}),
     'metrics': ACCURACIES},
    {'name': 'plateau_max_rel_negative', 'schedulers': one('ReduceLROnPlateau', {'mode': 'max', 'patience': 1, 'factor': 0.5}),
     'metrics': NEGATED},
    {'name': 'plateau_max_abs_min_lrs', 'schedulers': one('ReduceLROnPlateau', {
        'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.05, 'patience': 0, 'factor': 0.5, 'cooldown': 1, 'minLr': [0.01, 0.001]}),
     'metrics': ACCURACIES},
    {'name': 'plateau_min_lr_eps', 'schedulers': one('ReduceLROnPlateau', {'patience': 0, 'factor': 0.5, 'minLr': 0.004, 'eps': 1e-3}),
     'metrics': LOSSES},
]


def make_scheduler(optimizer, spec):
    kwargs = {TORCH_NAMES[name]: value for name, value in spec['options'].items()}
    return getattr(lr_scheduler, spec['kind'])(optimizer, **kwargs)


def lrs_of(optimizer):
    return [group['lr'] for group in optimizer.param_groups]


def run_case(case):
    params = [torch.zeros(2, requires_grad=True) for _ in GROUP_LRS]
    optimizer = torch.optim.SGD([{'params': [p], 'lr': lr} for p, lr in zip(params, GROUP_LRS)], lr=GROUP_LRS[0])
    schedulers = [make_scheduler(optimizer, spec) for spec in case['schedulers']]
    edits = case.get('edits', [])
    lrs = [lrs_of(optimizer)]
    for epoch in range(EPOCHS):
        for edit in edits:
            if edit['after'] == epoch:
                optimizer.param_groups[edit['group']]['lr'] = edit['lr']
        optimizer.step()  # no gradients: updates nothing, but keeps torch from warning about the call order
        for scheduler in schedulers:
            if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
                scheduler.step(case['metrics'][epoch])
            else:
                scheduler.step()
        lrs.append(lrs_of(optimizer))
    for lr in sum(lrs, []):
        assert isinstance(lr, float) and math.isfinite(lr), lr
    out = {'schedulers': case['schedulers'], 'groupLrs': GROUP_LRS, 'edits': edits, 'lrs': lrs}
    if 'metrics' in case:
        out['metrics'] = [None if math.isnan(m) else m for m in case['metrics']]
    return out


def dump(fixture):
    """Sorted keys, one case a line (readable diffs); allow_nan=False since JSON.parse takes no NaN."""
    def compact(value):
        return json.dumps(value, sort_keys=True, separators=(',', ':'), allow_nan=False)
    cases = [' %s: %s' % (compact(name), compact(case)) for name, case in sorted(fixture['cases'].items())]
    return '{"cases": {\n%s\n},\n"header": %s}\n' % (',\n'.join(cases), compact(fixture['header']))


def write(fixtures_dir):
    """Writes schedulers/schedulers.json under fixtures_dir; returns its path and size."""
    fixture = {
        'header': {'format': FIXTURE_FORMAT, 'version': FIXTURE_VERSION, 'generator': GENERATOR,
                   'torch': torch.__version__, 'epochs': EPOCHS},
        'cases': {case['name']: run_case(case) for case in CASES},
    }
    out_dir = os.path.join(fixtures_dir, 'schedulers')
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'schedulers.json')
    text = dump(fixture)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path, len(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default=os.path.join(ROOT, 'test', 'fixtures'), help='fixtures folder')
    args = parser.parse_args()
    path, size = write(args.out)
    print('make_scheduler_fixtures: wrote %d cases (%.1f KiB) to %s with torch %s'
          % (len(CASES), size / 1024, os.path.relpath(path, os.getcwd()), torch.__version__))


if __name__ == '__main__':
    sys.exit(main())
