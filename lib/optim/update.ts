/** One native call that applies an update rule to every parameter of a group (Note [Optimizer updates]). */
import { codesFrom } from '../dtype';
import { native, nativeConstants } from '../native/binding';
import type { Tensor } from '../tensor';
import type { GroupOptions, ParamState } from './optimizer';

const OPTIMIZERS = ['sgd', 'adam', 'rmsprop', 'adagrad'] as const;
export type UpdateRule = (typeof OPTIMIZERS)[number];
const OPTIMIZER_CODE = codesFrom(OPTIMIZERS, nativeConstants.optimizers, 'optimizer');

const num = (v: number | boolean | undefined, fallback = 0): number => (typeof v === 'number' ? v : v === true ? 1 : fallback);

/**
 * Updates `params` (each has a gradient) by `rule`, with state tensors named `stateNames` (up to
 * three, in the rule's order; absent ones are passed as null). `freshBuffers[i]`: parameter i's
 * momentum buffer was made for this step. Each state's step is incremented first, as torch does.
 */
export function runUpdate(rule: UpdateRule, params: Tensor[], states: ParamState[], o: GroupOptions, stateNames: readonly string[],
                          freshBuffers: readonly boolean[] = []): void {
  const hyper = Float64Array.from([
    num(o.lr), num(o.beta1, 0.9), rule === 'rmsprop' ? num(o.alpha, 0.99) : num(o.beta2, 0.999), num(o.eps, 1e-8), num(o.weightDecay),
    num(o.momentum), num(o.dampening), num(o.nesterov), num(o.maximize), num(o.amsgrad), num(o.decoupledWeightDecay), num(o.centered),
    num(o.kerasEpsilon), num(o.lrDecay),
  ]);
  const slots: (Tensor['handle'] | null)[] = [];
  const firstSteps = new Float64Array(params.length);
  states.forEach((s, i) => {
    // SGD starts a new momentum buffer as a copy of the gradient.
    firstSteps[i] = freshBuffers[i] ? 1 : 0;
    for (let k = 0; k < 3; k++) slots.push(stateNames[k] && s.tensors[stateNames[k]] ? s.tensors[stateNames[k]].handle : null);
  });
  const steps = Float64Array.from(states, (s) => s.step + 1);
  native.optimizerStep(OPTIMIZER_CODE[rule], hyper, params.map((p) => p.handle), params.map((p) => p.grad!.handle), slots, steps, firstSteps);
  for (const s of states) s.step++;
}
