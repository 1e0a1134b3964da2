/** Which way a monitored log improves, shared by the callbacks that watch one (earlyStopping, modelCheckpoint). */
import { ArgumentError } from '../errors';
import { describe } from '../format';

export type Direction = 'min' | 'max';

/**
 * `mode` ('auto', 'min' or 'max'; undefined is 'auto') for `monitor`. Keras: 'auto' minimises
 * losses and errors and maximises accuracies. `argument` names the mode option in messages.
 */
export function monitorDirection(mode: unknown, monitor: string, argument: string): Direction {
  const m = mode ?? 'auto';
  if (m !== 'auto' && m !== 'min' && m !== 'max') throw new ArgumentError(`${argument} must be 'auto', 'min' or 'max', got ${describe(m)}`);
  if (m !== 'auto') return m;
  return /acc|auc|precision|recall/.test(monitor) && !/loss|error/.test(monitor) ? 'max' : 'min';
}
