/**
 * Runs the tape backwards: from a tensor to the leaves that require grad, visiting each node
 * once, after every node that feeds it a gradient. Everything that could make the pass fail
 * part-way (a released node, a tensor changed in place since the forward, a disposed leaf) is
 * checked before any gradient is computed, so a failed backward() changes no `.grad`.
 */
import { ArgumentError, DisposedError, ShapeError } from '../errors';
import { formatShape } from '../format';
import { native } from '../native/binding';
import { keep } from '../scope';
import { sameShape } from '../shape';
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

function checkGradMatches(expected: Tensor, grad: Tensor, what: string): void {
  if (grad.numel !== expected.numel || grad.dtype !== expected.dtype || grad.device !== expected.device) {
    throw new ShapeError(
      `${what} must match shape ${formatShape(expected.shape)}, ${expected.dtype}, ${expected.device}; ` +
        `got ${formatShape(grad.shape)}, ${grad.dtype}, ${grad.device}`,
    );
  }
}

/** The leaf's existing gradient buffer, or null; a buffer that does not fit the leaf is an error. */
function existingGrad(leaf: Tensor): Tensor | null {
  if (leaf.grad === null || leaf.grad.disposed) return null;
  checkGradMatches(leaf, leaf.grad, `the .grad of a leaf of shape ${formatShape(leaf.shape)}`);
  return leaf.grad;
}

function accumulateLeaf(leaf: Tensor, grad: Tensor): void {
  checkGradMatches(leaf, grad, 'the gradient of a leaf');
  const current = existingGrad(leaf);
  if (current) {
    accumulateInto(current, grad);
    return;
  }
  // The new .grad belongs to the leaf, not to any scope() the backward runs in.
  leaf.grad = keep(sameShape(grad.shape, leaf.shape) ? grad : reshapeOwned(grad, leaf.shape));
}

function reshapeOwned(t: Tensor, shape: readonly number[]): Tensor {
  const out = t.viewAs(shape);
  t.dispose();
  return out;
}

/** The gradient buffer of a leaf a node writes into itself, allocated (zeros) when missing. */
function sinkFor(leaf: Tensor): Tensor {
  const current = existingGrad(leaf);
  if (current) return current;
  leaf.grad = keep(Tensor.zeros(leaf.shape, { dtype: leaf.dtype, device: leaf.device }));
  return leaf.grad;
}

function checkRunnable(order: readonly GradNode[]): void {
  for (const node of order) {
    if (node.released) {
      throw new ArgumentError(`backward() through ${node.name} a second time: its saved tensors were freed; pass { retainGraph: true } to the first backward()`);
    }
    node.checkSavedVersions();
    for (const input of node.inputs) {
      if (input !== null && input.gradFn === null && input.disposed) {
        throw new DisposedError(`backward(): a tensor that needs a gradient (a leaf of shape ${formatShape(input.shape)}, input of ${node.name}) was disposed`);
      }
    }
  }
}

export function runBackward(root: Tensor, gradient: Tensor | undefined, retainGraph: boolean): void {
  root.handle; // DisposedError for a disposed root
  if (!root.requiresGrad) {
    throw new ArgumentError('backward() needs a tensor that requires grad (computed from tensors with requiresGrad = true, outside noGrad())');
  }
  if (gradient === undefined && root.numel !== 1) {
    throw new ShapeError(`backward() without a gradient needs a one-element tensor, got shape ${formatShape(root.shape)}; pass the gradient`);
  }
  if (gradient !== undefined) {
    if (!(gradient instanceof Tensor)) throw new ArgumentError('backward(): gradient must be a Tensor');
    checkGradMatches(root, gradient, 'gradient');
  }
  const order = root.gradFn === null ? [] : topologicalOrder(root.gradFn);
  checkRunnable(order);
  const seed = gradient === undefined ? Tensor.ones(root.shape, { dtype: root.dtype, device: root.device }) : gradient.detach();
  if (root.gradFn === null) {
    accumulateLeaf(root, seed);
    return;
  }
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
      const gradOutputs = pending.get(node) ?? [];
      pending.delete(node);
      if (gradOutputs.every((g) => g === null)) continue;
      const sinks = node.inputs.map((input) => (node.acceptsGradSinks && input !== null && input.gradFn === null ? sinkFor(input) : null));
      const gradInputs = node.backward(gradOutputs, sinks);
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
        checkGradMatches(input, g, `the gradient of ${input.gradFn.name}'s output`);
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
