/**
 * gruGates: one reset-after GRU step's gates fused into one native pass (a CPU loop or one CUDA
 * kernel over native/ops/gru_gate_step.h), with its own backward. From the step's projections
 * gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh ([batch, 3H], gates r, z, n) and the state h:
 * r = g(gi_r + gh_r), z = g(gi_z + gh_z), n = f(gi_n + r gh_n), h' = (1 - z) n + z h.
 */
import { GradNode } from '../autograd/node';
import { checkFloat, checkLike, checkTensor } from '../checks';
import type { DType } from '../dtype';
import { ArgumentError, ShapeError } from '../errors';
import { formatShape } from '../format';
import { native, nativeConstants } from '../native/binding';
import { Tensor } from '../tensor';
import { disposeOnThrow, produce } from './outputs';
import { attach, needsGrad } from './record';

const ACTIVATIONS = nativeConstants.gruActivations;

function activationCode(name: string, argument: string): number {
  const code = (ACTIVATIONS as Record<string, number>)[name];
  if (code === undefined) throw new ArgumentError(`${argument} must be one of ${Object.keys(ACTIVATIONS).map((a) => `'${a}'`).join(', ')}, got '${name}'`);
  return code;
}

class GruGatesNode extends GradNode {
  private readonly gates: Tensor;
  private readonly h: Tensor;
  constructor(gi: Tensor, gh: Tensor, h: Tensor, saved: Tensor, private readonly codes: [number, number]) {
    super('gruGatesBackward', [gi, gh, h]);
    this.gates = this.save(saved);
    this.h = this.save(h);
  }
  backward([g]: readonly (Tensor | null)[]): (Tensor | null)[] {
    const [batch, hidden] = this.h.shape;
    const dgi = Tensor.empty([batch, 3 * hidden], { dtype: this.h.dtype, device: this.h.device });
    const dgh = Tensor.empty([batch, 3 * hidden], { dtype: this.h.dtype, device: this.h.device });
    const dh = Tensor.empty([batch, hidden], { dtype: this.h.dtype, device: this.h.device });
    disposeOnThrow([dgi, dgh, dh], () => native.gruGatesBackward(this.codes[0], this.codes[1], dgi.handle, dgh.handle, dh.handle,
      this.gates.handle, this.h.handle, g!.handle, batch, hidden));
    return [dgi, dgh, dh];
  }
}

/** The next state h' [batch, H] from gi, gh [batch, 3H] and h [batch, H]; `activation` makes n, `recurrentActivation` r and z. */
export function gruGates<D extends DType>(gi: Tensor<D>, gh: Tensor<D>, h: Tensor<D>, activation = 'tanh', recurrentActivation = 'sigmoid'): Tensor<D> {
  for (const [t, name] of [[gi, 'gi'], [gh, 'gh'], [h, 'h']] as const) {
    checkTensor(t, `gruGates(): ${name}`);
    checkFloat(t, `gruGates(): ${name}`);
  }
  const codes: [number, number] = [activationCode(activation, 'gruGates(): activation'), activationCode(recurrentActivation, 'gruGates(): recurrentActivation')];
  if (h.ndim !== 2) throw new ShapeError(`gruGates(): h must be [batch, hidden], got ${formatShape(h.shape)}`);
  const [batch, hidden] = h.shape;
  for (const [t, name] of [[gi, 'gi'], [gh, 'gh']] as const) {
    if (t.ndim !== 2 || t.shape[0] !== batch || t.shape[1] !== 3 * hidden) {
      throw new ShapeError(`gruGates(): ${name} must be [${batch}, ${3 * hidden}] (3 gates of h's ${hidden}), got ${formatShape(t.shape)}`);
    }
  }
  checkLike(gh, gi, 'gruGates(): gh', 'gi');
  checkLike(h, gi, 'gruGates(): h', 'gi');
  const saved = Tensor.empty([batch, 4 * hidden], { dtype: h.dtype, device: h.device });
  const out = disposeOnThrow([saved], () => produce([batch, hidden], h, (o) =>
    native.gruGates(codes[0], codes[1], o.handle, saved.handle, gi.handle, gh.handle, h.handle, batch, hidden)));
  if (needsGrad(gi) || needsGrad(gh) || needsGrad(h)) attach(new GruGatesNode(gi, gh, h, saved, codes), out);
  saved.dispose();
  return out;
}
