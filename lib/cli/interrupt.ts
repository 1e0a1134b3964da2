/**
 * Ctrl-C during training: the first SIGINT asks the trainer to stop after the current batch (it
 * then writes a checkpoint); a second one quits at once. Removed when training ends.
 */
export function stopOnInterrupt(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after this batch to write a checkpoint (Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSignal) };
}
