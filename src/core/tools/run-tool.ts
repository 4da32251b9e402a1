/** One short ffmpeg or ffprobe call (probe, interlace sample, segment check) under the run's AbortSignal. */
import { setPriority } from 'node:os';
import { execa } from 'execa';
import { abortReason } from '../../errors.js';

export interface RunToolOptions {
  signal?: AbortSignal | undefined;
  /** Wall-clock limit; the process is killed (SIGKILL 2 s after SIGTERM) past it. */
  timeoutMs: number;
  /** Most bytes kept of stdout or stderr. */
  maxBuffer: number;
  /** Niceness to run at (19: only the cycles nothing else wants). */
  priority?: number | undefined;
}

/** Runs `command args`; never rejects for a failed exit (the caller reads it), throws the abort reason when cancelled. */
export async function runTool(command: string, args: readonly string[], options: RunToolOptions) {
  const subprocess = execa(command, args, {
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
    stdin: 'ignore',
    reject: false,
    maxBuffer: options.maxBuffer,
  });
  if (options.priority !== undefined && subprocess.pid !== undefined) {
    try {
      setPriority(subprocess.pid, options.priority);
    } catch {
      // Already gone, or not allowed here: it runs at the default priority.
    }
  }
  const result = await subprocess;
  if (result.isCanceled && options.signal) throw abortReason(options.signal);
  return result;
}
