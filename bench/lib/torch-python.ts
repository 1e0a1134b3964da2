/** Finding the Python whose torch a GPU benchmark runs against. */
import type { Device } from '../../lib/index';
import { probe } from './peer';

/** A Python whose torch can use `device`: $TORCH_PYTHON, the GPU machine's venv, PATH's, then Debian's. */
export function findTorchPython(device: Device): string | null {
  const candidates = [process.env.TORCH_PYTHON, '/opt/torch/.venv/bin/python3', 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const test = device === 'cuda' ? 'torch.cuda.is_available()' : 'True';
  return candidates.find((python) => probe(python, ['-c', `import sys, torch; sys.exit(0 if ${test} else 1)`])) ?? null;
}
