/**
 * A GRU step's gates fused into native passes (a CPU loop or one CUDA kernel each, over
 * native/ops/gru_gate_step.h), each with its own backward. Projections come in gate order r, z, n:
 * gi = x W_ih^T + b_ih [batch, 3H]. Reset-after, one pass: gruGates(gi, gh = h W_hh^T + b_hh, h)
 * gives h' = (1 - z) n + z h with r = g(gi_r + gh_r), z = g(gi_z + gh_z), n = f(gi_n + r gh_n).
 * Reset-before, two passes around the n block's GEMM: gruResetPass(gi, ghRZ, h) gives
 * gates = [r, z, r h]; gruUpdatePass(gi, ghN = (r h) W_n^T + b_n, gates, h) gives h' with
 * n = f(gi_n + ghN).
 */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { formatShape } from '../format';
import { native, nativeConstants } from '../native/binding';
import { Tensor } from '../tensor';
import { disposeOnThrow } from './outputs';
import { attach, needsGrad } from './record';

type Step = keyof typeof nativeConstants.gruGateSteps;
/** gh's width per pass, in units of H. */
const GH_WIDTH: Record<Step, number> = { resetAfter: 3, resetPass: 2, updatePass: 1 };

function activationCode(name: string, argument: string): number {
  const code = (nativeConstants.gruActivations as Record<string, number>)[name];
  if (code === undefined) throw new ArgumentError(`${argument} must be one of ${Object.keys(nativeConstants.gruActivations).map((a) => `'${a}'`).join(', ')}, got '${name}'`);
  return code;
}

interface Pass {
  step: Step;
  codes: [number, number];
  batch: number;
  hidden: number;
}

class GruGatesNode extends GradNode {
  private readonly kept: Tensor;
  private readonly h: Tensor;
  private readonly gates: Tensor | null;
  /** `kept`: the forward's saved tensor, or the reset pass's own output. */
  constructor(inputs: (Tensor | null)[], kept: Tensor, h: Tensor, gates: Tensor | null, private readonly pass: Pass) {
    super(`gruGatesBackward (${pass.step})`, inputs);
    this.kept = this.save(kept);
    this.h = this.save(h);
    this.gates = gates && this.save(gates);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const { step, codes, batch, hidden } = this.pass;
    const like = { dtype: this.h.dtype, device: this.h.device };
    const dgi = Tensor.empty([batch, 3 * hidden], like);
    const dgh = Tensor.empty([batch, GH_WIDTH[step] * hidden], like);
    const dh = Tensor.empty([batch, hidden], like);
    const dGates = step === 'updatePass' ? Tensor.empty([batch, 3 * hidden], like) : null;
    disposeOnThrow([dgi, dgh, dh, dGates], () => native.gruGatesBackward(nativeConstants.gruGateSteps[step], codes[0], codes[1], dgi.handle, dgh.handle,
      dh.handle, dGates?.handle ?? null, this.kept.handle, this.h.handle, g!.handle, this.gates?.handle ?? null, batch, hidden));
    // Inputs in the forward's order: gi, gh, (gates,) h.
    return step === 'updatePass' ? [dgi, dgh, dGates, dh] : [dgi, dgh, dh];
  }
}

function checkPass(name: string, step: Step, gi: Tensor, gh: Tensor, h: Tensor, gates: Tensor | null): { batch: number; hidden: number } {
  const where = `${name}()`;
  for (const [t, arg] of [[gi, 'gi'], [gh, 'gh'], [h, 'h'], ...(gates ? [[gates, 'gates'] as const] : [])] as const) {
    checkTensor(t, `${where}: ${arg}`);
    checkFloat(t, `${where}: ${arg}`);
  }
  if (h.ndim !== 2) throw new ShapeError(`${where}: h must be [batch, hidden], got ${formatShape(h.shape)}`);
  const [batch, hidden] = h.shape;
  const widths: [Tensor, string, number][] = [[gi, 'gi', 3], [gh, 'gh', GH_WIDTH[step]], ...(gates ? [[gates, 'gates', 3] as [Tensor, string, number]] : [])];
  for (const [t, arg, width] of widths) {
    if (t.ndim !== 2 || t.shape[0] !== batch || t.shape[1] !== width * hidden) {
      throw new ShapeError(`${where}: ${arg} must be [${batch}, ${width * hidden}] (${width} gate${width > 1 ? 's' : ''} of h's ${hidden}), got ${formatShape(t.shape)}`);
    }
  }
  for (const [t, arg] of [[gh, 'gh'], [h, 'h'], ...(gates ? [[gates, 'gates'] as const] : [])] as const) checkLike(t, gi, `${where}: ${arg}`, 'gi');
  return { batch, hidden };
}

function run<D extends DType>(name: string, step: Step, gi: Tensor<D>, gh: Tensor<D>, h: Tensor<D>, gates: Tensor<D> | null, activation: string, recurrentActivation: string): Tensor<D> {
  const { batch, hidden } = checkPass(name, step, gi, gh, h, gates);
  const pass: Pass = { step, batch, hidden,
    codes: [activationCode(activation, `${name}(): activation`), activationCode(recurrentActivation, `${name}(): recurrentActivation`)] };
  const like = { dtype: h.dtype, device: h.device };
  const out = Tensor.empty([batch, (step === 'resetPass' ? 3 : 1) * hidden], like) as Tensor<D>;
  const saved = step === 'resetPass' ? null : Tensor.empty([batch, (step === 'resetAfter' ? 4 : 1) * hidden], like);
  disposeOnThrow([out, saved], () => native.gruGates(nativeConstants.gruGateSteps[step], pass.codes[0], pass.codes[1], out.handle, saved?.handle ?? null,
    gi.handle, gh.handle, h.handle, gates?.handle ?? null, batch, hidden));
  const inputs = [gi, gh, ...(gates ? [gates] : []), h];
  if (inputs.some((t) => needsGrad(t))) attach(new GruGatesNode(inputs, saved ?? out, h, gates, pass), out);
  saved?.dispose();
  return out;
}

/** Reset-after: the next state h' [batch, H] from gi, gh [batch, 3H] and h [batch, H]; `activation` makes n, `recurrentActivation` r and z. */
export function gruGates<D extends DType>(gi: Tensor<D>, gh: Tensor<D>, h: Tensor<D>, activation = 'tanh', recurrentActivation = 'sigmoid'): Tensor<D> {
  return run('gruGates', 'resetAfter', gi, gh, h, null, activation, recurrentActivation);
}

/** Reset-before, first pass: [r, z, r h] [batch, 3H] from gi [batch, 3H], ghRZ = h W_rz^T + b_rz [batch, 2H] and h. */
export function gruResetPass<D extends DType>(gi: Tensor<D>, ghRZ: Tensor<D>, h: Tensor<D>, recurrentActivation = 'sigmoid'): Tensor<D> {
  return run('gruResetPass', 'resetPass', gi, ghRZ, h, null, 'tanh', recurrentActivation);
}

/** Reset-before, second pass: h' [batch, H] from gi, ghN = (r h) W_n^T + b_n [batch, H], the first pass's gates and h. */
export function gruUpdatePass<D extends DType>(gi: Tensor<D>, ghN: Tensor<D>, gates: Tensor<D>, h: Tensor<D>, activation = 'tanh'): Tensor<D> {
  return run('gruUpdatePass', 'updatePass', gi, ghN, h, gates, activation, 'sigmoid');
}
