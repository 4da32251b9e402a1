/** The progress display a command shows: bars on a terminal, plain lines elsewhere, none when quiet. */
import type { PipelineListener } from '../../core/events.js';

export interface ProgressRenderer {
  onEvent: PipelineListener;
  stop(): void;
}

/** Loads only the renderer it returns: the terminal bars' library is not needed in a pipe or a log. */
export async function createProgressRenderer(stream: NodeJS.WriteStream, quiet: boolean): Promise<ProgressRenderer | undefined> {
  if (quiet) return undefined;
  if (stream.isTTY) return (await import('./progress-tty.js')).createTtyRenderer(stream);
  return (await import('./progress-plain.js')).createPlainRenderer(stream);
}
