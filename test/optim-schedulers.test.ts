/**
 * Learning-rate schedulers against real PyTorch (test/fixtures/schedulers/schedulers.json, written by
 * scripts/make_scheduler_fixtures.py): each group's lr after construction and after each epoch,
 * resuming from a stateDict mid-way, option checks and getLastLr. No test calls optimizer.step():
 * a scheduler only reads and writes `paramGroups[i].lr`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { ArgumentError, Tensor } from '../lib/index';
import { SGD } from '../lib/optim/sgd';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  ReduceLROnPlateau,
  StepLR,
  type LRScheduler,
} from '../lib/optim/schedulers/index';

interface SchedulerSpec {
  kind: 'StepLR' | 'MultiStepLR' | 'ExponentialLR' | 'CosineAnnealingLR' | 'LinearLR' | 'ReduceLROnPlateau';
  options: Record<string, unknown>;
}

interface SchedulerCase {
  schedulers: SchedulerSpec[];
  groupLrs: number[];
  /** Before epoch `after`'s steps, group `group`'s lr is set to `lr` by hand. */
  edits: { after: number; group: number; lr: number }[];
  /** lrs[0]: after construction; lrs[e]: after e epochs. */
  lrs: number[][];
  /** ReduceLROnPlateau's metric per epoch; null is NaN. */
  metrics?: (number | null)[];
}

const FIXTURE = join(__dirname, 'fixtures', 'schedulers', 'schedulers.json');
const { header, cases } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
  header: Record<string, string | number>;
  cases: Record<string, SchedulerCase>;
};

type AnyScheduler = LRScheduler | ReduceLROnPlateau;

function makeOptimizer(lrs: readonly number[] = [0.1, 0.05]): SGD {
  return new SGD(lrs.map((lr) => ({ params: [Tensor.zeros([2]).requiresGrad_()], lr })), { lr: lrs[0] });
}

function make(optimizer: SGD, spec: SchedulerSpec): AnyScheduler {
  const o = spec.options as never;
  switch (spec.kind) {
    case 'StepLR': return new StepLR(optimizer, o);
    case 'MultiStepLR': return new MultiStepLR(optimizer, o);
    case 'ExponentialLR': return new ExponentialLR(optimizer, o);
    case 'CosineAnnealingLR': return new CosineAnnealingLR(optimizer, o);
    case 'LinearLR': return new LinearLR(optimizer, o);
    case 'ReduceLROnPlateau': return new ReduceLROnPlateau(optimizer, o);
  }
}

const lrsOf = (optimizer: SGD): number[] => optimizer.paramGroups.map((g) => g.lr);

/** One epoch of case `c`, as the generator runs it: edits, then each scheduler's step. */
function epoch(c: SchedulerCase, optimizer: SGD, schedulers: AnyScheduler[], e: number): void {
  for (const edit of c.edits) if (edit.after === e) optimizer.paramGroups[edit.group].lr = edit.lr;
  for (const s of schedulers) {
    if (s instanceof ReduceLROnPlateau) s.step(c.metrics![e] ?? NaN);
    else s.step();
  }
}

/** The fixture's float64 math, done in the same order: equal to 1e-12 relative. */
function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (Math.abs(a - e) > 1e-12 * Math.abs(e) + 1e-300) expect.fail(`${what} group ${i}: ${a}, torch ${e} (off by ${Math.abs(a - e) / Math.abs(e)} relative)`);
  });
}

describe('the scheduler fixture', () => {
  it('names its generator and torch', () => {
    expect(header.format).toBe('gru-native-scheduler-fixture');
    expect(header.generator).toBe('scripts/make_scheduler_fixtures.py');
    expect(header.torch).toMatch(/^\d+\.\d+/);
    expect(header.epochs).toBe(30);
  });

  it('covers every scheduler', () => {
    const kinds = new Set(Object.values(cases).flatMap((c) => c.schedulers.map((s) => s.kind)));
    expect([...kinds].sort()).toEqual(['CosineAnnealingLR', 'ExponentialLR', 'LinearLR', 'MultiStepLR', 'ReduceLROnPlateau', 'StepLR']);
  });
});

describe.each(Object.entries(cases))('%s', (_name, c) => {
  it('gives torch\'s lr for both groups after construction and each of 30 epochs', () => {
    const optimizer = makeOptimizer(c.groupLrs);
    const schedulers = c.schedulers.map((s) => make(optimizer, s));
    expectClose(lrsOf(optimizer), c.lrs[0], 'after construction');
    for (let e = 0; e < c.lrs.length - 1; e++) {
      epoch(c, optimizer, schedulers, e);
      expectClose(lrsOf(optimizer), c.lrs[e + 1], `after epoch ${e + 1}`);
      // The last scheduler stepped applied what the optimizer now holds.
      expect(schedulers.at(-1)!.getLastLr()).toEqual(lrsOf(optimizer));
    }
  });

  it.each([0, 13])('resumes from stateDicts saved after %i epochs (through JSON)', (at) => {
    const optimizer = makeOptimizer(c.groupLrs);
    const schedulers = c.schedulers.map((s) => make(optimizer, s));
    for (let e = 0; e < at; e++) epoch(c, optimizer, schedulers, e);
    const saved = JSON.parse(JSON.stringify({ optimizer: optimizer.stateDict(), schedulers: schedulers.map((s) => s.stateDict()) }));

    // A fresh run whose constructors' first step moved the lrs elsewhere; the checkpoint puts them back.
    const resumed = makeOptimizer([0.7, 0.3]);
    const again = c.schedulers.map((s) => make(resumed, s));
    resumed.loadStateDict(saved.optimizer);
    again.forEach((s, i) => s.loadStateDict(saved.schedulers[i]));
    expect(again.map((s) => s.stateDict())).toEqual(schedulers.map((s) => s.stateDict()));
    for (let e = at; e < c.lrs.length - 1; e++) {
      epoch(c, resumed, again, e);
      expectClose(lrsOf(resumed), c.lrs[e + 1], `after epoch ${e + 1}`);
    }
  });
});

describe('LRScheduler', () => {
  it('takes one step when made: lastEpoch 0, lr at its epoch-0 value', () => {
    const optimizer = makeOptimizer();
    const s = new LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 });
    expect(s.lastEpoch).toBe(0);
    expect(s.baseLrs).toEqual([0.1, 0.05]);
    expect(lrsOf(optimizer)).toEqual([0.05, 0.025]);
    s.step();
    expect(s.lastEpoch).toBe(1);
  });

  it('getLastLr returns a copy of the applied lrs, one per group, until the next step', () => {
    const optimizer = makeOptimizer();
    const s = new ExponentialLR(optimizer, { gamma: 0.5 });
    expect(s.getLastLr()).toEqual([0.1, 0.05]);
    s.step();
    const last = s.getLastLr();
    expect(last).toEqual([0.05, 0.025]);
    last[0] = 9;
    optimizer.paramGroups[1].lr = 1;
    expect(s.getLastLr()).toEqual([0.05, 0.025]);
    s.step();
    expect(s.getLastLr()).toEqual([0.025, 0.5]);
  });

  it('counts a repeated milestone once per time it is given', () => {
    const optimizer = makeOptimizer();
    const s = new MultiStepLR(optimizer, { milestones: [2, 2, 2], gamma: 0.5 });
    s.step();
    s.step();
    expect(lrsOf(optimizer)).toEqual([0.0125, 0.00625]);
  });

  it('has stateDicts of plain data', () => {
    const s = new MultiStepLR(makeOptimizer(), { milestones: [5, 1, 5] });
    expect(s.stateDict()).toEqual({ lastEpoch: 0, baseLrs: [0.1, 0.05], lastLr: [0.1, 0.05], milestones: [1, 5, 5], gamma: 0.1 });
    expect(new CosineAnnealingLR(makeOptimizer(), { tMax: 3 }).stateDict()).toEqual({ lastEpoch: 0, baseLrs: [0.1, 0.05], lastLr: [0.1, 0.05], tMax: 3, etaMin: 0 });
  });

  it('takes a later scheduler\'s base lrs from the groups\' initial lrs, not the warmed-up ones', () => {
    const optimizer = makeOptimizer();
    new LinearLR(optimizer, { startFactor: 0.5 });
    expect(new CosineAnnealingLR(optimizer, { tMax: 4 }).baseLrs).toEqual([0.1, 0.05]);
  });

  it('refuses a step once the optimizer has more groups than it was made for', () => {
    const optimizer = makeOptimizer();
    const s = new StepLR(optimizer, { stepSize: 2 });
    optimizer.addParamGroup({ params: [Tensor.zeros([1]).requiresGrad_()] } as never);
    expect(() => s.step()).toThrow(/StepLR\.step: the optimizer has 3 param groups but the scheduler was made for 2/);
  });
});

describe('ReduceLROnPlateau', () => {
  it('leaves the lr alone when made and counts bad epochs, a NaN among them', () => {
    const optimizer = makeOptimizer();
    const s = new ReduceLROnPlateau(optimizer, { patience: 1, factor: 0.5 });
    expect([s.lastEpoch, s.best, s.numBadEpochs, s.cooldownCounter]).toEqual([0, Infinity, 0, 0]);
    expect(s.getLastLr()).toEqual([0.1, 0.05]);
    s.step(1);
    expect([s.lastEpoch, s.best, s.numBadEpochs]).toEqual([1, 1, 0]);
    s.step(NaN);
    expect([s.best, s.numBadEpochs]).toEqual([1, 1]);
    s.step(1);
    expect([s.numBadEpochs, ...lrsOf(optimizer)]).toEqual([0, 0.05, 0.025]);
    expect(s.getLastLr()).toEqual([0.05, 0.025]);
  });

  it('writes an infinite best as a string in its stateDict and reads it back', () => {
    const s = new ReduceLROnPlateau(makeOptimizer(), { mode: 'max', minLr: [0.01, 0] });
    const dict = s.stateDict();
    expect(dict).toEqual({
      mode: 'max', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: [0.01, 0], eps: 1e-8,
      best: '-Infinity', numBadEpochs: 0, cooldownCounter: 0, lastEpoch: 0, lastLr: [0.1, 0.05],
    });
    const other = new ReduceLROnPlateau(makeOptimizer());
    other.loadStateDict(JSON.parse(JSON.stringify(dict)));
    expect(other.best).toBe(-Infinity);
    expect(other.stateDict()).toEqual(dict);
  });

  it('needs a number', () => {
    const s = new ReduceLROnPlateau(makeOptimizer());
    expect(() => s.step('0.5' as never)).toThrow(new ArgumentError('ReduceLROnPlateau.step: metric must be a number, got "0.5"'));
    expect(() => (s.step as (m?: number) => void)()).toThrow(/metric must be a number, got undefined/);
    expect(s.lastEpoch).toBe(0);
  });
});

describe('bad options', () => {
  const optimizer = makeOptimizer();
  const cases: [string, () => unknown, RegExp][] = [
    ['an unknown option', () => new StepLR(optimizer, { stepSize: 2, step_size: 3 } as never), /StepLR options: unknown option "step_size"; did you mean "stepSize"\?/],
    ['a misspelt option', () => new CosineAnnealingLR(optimizer, { tmax: 2 } as never), /unknown option "tmax"; did you mean "tMax"\?/],
    ['a torch name', () => new ReduceLROnPlateau(optimizer, { min_lr: 0.1 } as never), /unknown option "min_lr"; did you mean "minLr"\?/],
    ['no stepSize', () => new StepLR(optimizer, {} as never), /StepLR options\.stepSize must be an integer >= 1, got undefined/],
    ['stepSize 0', () => new StepLR(optimizer, { stepSize: 0 }), /StepLR options\.stepSize must be an integer >= 1, got 0/],
    ['gamma not a number', () => new StepLR(optimizer, { stepSize: 2, gamma: '0.5' as never }), /StepLR options\.gamma must be a finite number, got "0\.5"/],
    ['a negative gamma', () => new ExponentialLR(optimizer, { gamma: -0.5 }), /ExponentialLR options\.gamma must be >= 0, got -0\.5/],
    ['no gamma', () => new ExponentialLR(optimizer, {} as never), /ExponentialLR options\.gamma must be a finite number, got undefined/],
    ['milestones not an array', () => new MultiStepLR(optimizer, { milestones: 3 as never }), /MultiStepLR options\.milestones must be an array of integers >= 0, got 3/],
    ['a fractional milestone', () => new MultiStepLR(optimizer, { milestones: [2, 1.5] }), /MultiStepLR options\.milestones\[1\] must be an integer >= 0, got 1\.5/],
    ['tMax 0', () => new CosineAnnealingLR(optimizer, { tMax: 0 }), /CosineAnnealingLR options\.tMax must be an integer >= 1, got 0/],
    ['etaMin NaN', () => new CosineAnnealingLR(optimizer, { tMax: 2, etaMin: NaN }), /CosineAnnealingLR options\.etaMin must be a finite number, got NaN/],
    ['startFactor 0', () => new LinearLR(optimizer, { startFactor: 0 }), /LinearLR options\.startFactor must be in \(0, 1\], got 0/],
    ['startFactor above 1', () => new LinearLR(optimizer, { startFactor: 1.5 }), /LinearLR options\.startFactor must be in \(0, 1\], got 1\.5/],
    ['endFactor above 1', () => new LinearLR(optimizer, { endFactor: 1.01 }), /LinearLR options\.endFactor must be in \[0, 1\], got 1\.01/],
    ['totalIters 0', () => new LinearLR(optimizer, { totalIters: 0 }), /LinearLR options\.totalIters must be an integer >= 1, got 0/],
    ['factor 1', () => new ReduceLROnPlateau(optimizer, { factor: 1 }), /ReduceLROnPlateau options\.factor must be in \[0, 1\), got 1/],
    ['mode "mean"', () => new ReduceLROnPlateau(optimizer, { mode: 'mean' as never }), /ReduceLROnPlateau options\.mode must be 'min' or 'max', got "mean"/],
    ['thresholdMode "pct"', () => new ReduceLROnPlateau(optimizer, { thresholdMode: 'pct' as never }), /options\.thresholdMode must be 'rel' or 'abs', got "pct"/],
    ['a negative patience', () => new ReduceLROnPlateau(optimizer, { patience: -1 }), /ReduceLROnPlateau options\.patience must be an integer >= 0, got -1/],
    ['a fractional cooldown', () => new ReduceLROnPlateau(optimizer, { cooldown: 0.5 }), /options\.cooldown must be an integer >= 0, got 0\.5/],
    ['minLr for the wrong number of groups', () => new ReduceLROnPlateau(optimizer, { minLr: [0.1] }), /options\.minLr must be an array of 2 numbers \(one per param group\), got an array of length 1/],
    ['minLr a string', () => new ReduceLROnPlateau(optimizer, { minLr: '0' as never }), /options\.minLr must be a number >= 0 or an array of 2 \(one per param group\), got "0"/],
    ['a negative eps', () => new ReduceLROnPlateau(optimizer, { eps: -1 }), /ReduceLROnPlateau options\.eps must be >= 0, got -1/],
    ['options not an object', () => new LinearLR(optimizer, 5 as never), /LinearLR options must be an object, got 5/],
    ['no optimizer', () => new StepLR({ paramGroups: [] } as never, { stepSize: 1 }), /StepLR: optimizer must be an Optimizer \(SGD, Adam, \.\.\.\), got an object \(Object\)/],
    ['no optimizer (plateau)', () => new ReduceLROnPlateau(undefined as never), /ReduceLROnPlateau: optimizer must be an Optimizer/],
  ];
  it.each(cases)('%s is an ArgumentError naming the option, the expected and the actual value', (_what, make, message) => {
    expect(make).toThrow(ArgumentError);
    expect(make).toThrow(message);
  });

  it('leave the optimizer\'s lrs alone', () => {
    expect(lrsOf(optimizer)).toEqual([0.1, 0.05]);
  });
});

describe('loadStateDict refuses', () => {
  const optimizer = makeOptimizer();
  const step = new StepLR(optimizer, { stepSize: 2 });
  const good = step.stateDict();
  const cases: [string, () => void, RegExp][] = [
    ['a non-object', () => step.loadStateDict(null as never), /StepLR\.loadStateDict dict: expected a stateDict\(\) object, got null/],
    ['another scheduler\'s dict', () => step.loadStateDict(new CosineAnnealingLR(makeOptimizer(), { tMax: 2 }).stateDict() as never), /unknown option "tMax"/],
    ['a missing field', () => step.loadStateDict({ ...good, gamma: undefined } as never), /StepLR\.loadStateDict dict: the dict lacks gamma \(expected the fields/],
    ['an absent field', () => step.loadStateDict({ lastEpoch: 0, baseLrs: [0.1, 0.05], lastLr: [0.1, 0.05], stepSize: 2 } as never), /the dict lacks gamma/],
    ['a bad option value', () => step.loadStateDict({ ...good, stepSize: -2 }), /StepLR\.loadStateDict dict\.stepSize must be an integer >= 1, got -2/],
    ['a negative lastEpoch', () => step.loadStateDict({ ...good, lastEpoch: -1 }), /StepLR\.loadStateDict dict\.lastEpoch must be an integer >= 0, got -1/],
    ['lrs for another number of groups', () => step.loadStateDict({ ...good, baseLrs: [0.1] }), /dict\.baseLrs must be an array of 2 numbers \(one per param group\), got an array of length 1/],
    ['a bad best', () => new ReduceLROnPlateau(optimizer).loadStateDict({ ...new ReduceLROnPlateau(optimizer).stateDict(), best: 'inf' as never }), /ReduceLROnPlateau\.loadStateDict dict\.best must be a finite number, got "inf"/],
  ];
  it.each(cases)('%s', (_what, load, message) => {
    expect(load).toThrow(ArgumentError);
    expect(load).toThrow(message);
    expect(step.stateDict()).toEqual(good);
  });
});
