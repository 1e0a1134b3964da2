/**
 * Runs the tape backwards: from a tensor to the leaves that require grad, visiting each node
 * once, after every node that feeds it a gradient.
 */
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { native } from '../native/binding';
import { Tensor } from '../tensor';
import type { GradNode } from './node';

/** Nodes reachable from `root`, ordered so each comes before the nodes it feeds (its inputs). */
function topologicalOrder(root: GradNode): GradNode[] {
  const order: GradNode[] = [];
  const visited = new Set<GradNode>();
  const stack: { node: GradNode; next: number }[] = [{ node: root, next: 0 }];
  visited.add(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.next < frame.node.inputs.length) {
      const input = frame.node.inputs[frame.next++];
      const parent = input?.gradFn;
      if (parent && !visited.has(parent)) {
        visited.add(parent);
        stack.push({ node: parent, next: 0 });
      }
    } else {
      order.push(frame.node);
      stack.pop();
    }
  }
  return order.reverse();
}

/** a += b in place (same shape and dtype); disposes b. */
function accumulateInto(a: Tensor, b: Tensor): void {
  native.axpby(a.handle, b.handle, 1, 1);
  b.dispose();
}

function checkGradShape(expected: Tensor, grad: Tensor, what: string): void {
  if (grad.numel !== expected.numel || grad.dtype !== expected.dtype || grad.device !== expected.device) {
    throw new ShapeError(
      `${what} must match shape ${formatShape(expected.shape)}, ${expected.dtype}, ${expected.device}; ` +
        `got ${formatShape(grad.shape)}, ${grad.dtype}, ${grad.device}`,
    );
  }
}

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  checkGradShape(leaf, grad, 'the gradient of a leaf');
  if (leaf.grad !== null && !leaf.grad.disposed) {
    accumulateInto(leaf.grad, grad);
  } else {
    leaf.grad = grad.shape.length === leaf.shape.length && grad.shape.every((d, i) => d === leaf.shape[i]) ? grad : reshapeOwned(grad, leaf.shape);
  }
}

function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const out = t.detach().reshape(shape);
  t.dispose();
  return out;
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void {
  if (!root.requiresGrad) {
    throw new ArgumentError('backward() needs a tensor that requires grad (computed from tensors with requiresGrad = true, outside noGrad())');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.numel !== 1) {
      throw new ShapeError(`backward() without a gradient needs a one-element tensor, got shape ${formatShape(root.shape)}; pass the gradient`);
    }
    seed = Tensor.ones(root.shape, { dtype: root.dtype, device: root.device });
  } else {
    checkGradShape(root, gradient, 'gradient');
    seed = gradient.detach();
  }
  if (root.gradFn === null) {
    accumulateLeaf(root, seed);
    return;
  }
  const order = topologicalOrder(root.gradFn);
  const pending = new Map<GradNode, (Tensor | null)[]>();
  const slotFor = (node: GradNode): (Tensor | null)[] => {
    let slots = pending.get(node);
    if (!slots) {
      slots = new Array<Tensor | null>(node.numOutputs).fill(null);
      pending.set(node, slots);
    }
    return slots;
  };
  slotFor(root.gradFn)[root.outputIndex] = seed;
  try {
    for (const node of order) {
      if (node.released) {
        throw new ArgumentError(`backward() through ${node.name} a second time: its saved tensors were freed; pass { retainGraph: true } to the first backward()`);
      }
      const gradOutputs = pending.get(node) ?? [];
      pending.delete(node);
      if (gradOutputs.every((g) => g === null)) continue;
      const gradInputs = node.backward(gradOutputs);
      for (const g of gradOutputs) g?.dispose();
      node.inputs.forEach((input, i) => {
        const g = gradInputs[i];
        if (!g) return;
        if (!input) {
          g.dispose();
          return;
        }
        if (input.gradFn === null) {
          accumulateLeaf(input, g);
          return;
        }
        checkGradShape(input, g, `the gradient of ${input.gradFn.name}'s output`);
        const slots = slotFor(input.gradFn);
        const existing = slots[input.outputIndex];
        if (existing) accumulateInto(existing, g);
        else slots[input.outputIndex] = g;
      });
    }
  } finally {
    for (const slots of pending.values()) for (const g of slots) g?.dispose();
    if (!retainGraph) for (const node of order) node.release();
  }
}
