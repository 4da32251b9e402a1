/**
 * What every command shares: one AbortController for the run, aborted by SIGINT/SIGTERM with a
 * CancelledError; and where output goes.
 */
import { CancelledError } from '../errors.js';

export interface RunContext {
  signal: AbortSignal;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Exit code of a run that ends without an error but not successfully (verify: a MUST failed). */
  exitCode?: number | undefined;
  /** Removes the signal handlers. */
  dispose(): void;
}

export function createRunContext(): RunContext {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // ffmpeg children get SIGTERM (then SIGKILL) through the signal; the run exits 130 once they are gone.
    if (!controller.signal.aborted) controller.abort(new CancelledError(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
