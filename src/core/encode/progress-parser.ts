/**
 * Parses ffmpeg's `-progress pipe:1` output: blocks of `key=value` lines, each ending with
 * `progress=continue` or `progress=end`. `out_time_ms` is really microseconds, so `out_time_us` is used;
 * `speed=` is space-padded and `N/A` at the start.
 */

export interface ProgressBlock {
  frame: number | undefined;
  fps: number | undefined;
  /** Media time encoded so far, seconds. */
  outTimeSeconds: number | undefined;
  /** Bytes written so far (all outputs of the process). */
  totalSize: number | undefined;
  /** Encode speed as a multiple of realtime. */
  speed: number | undefined;
  /** True on the last block (`progress=end`). */
  end: boolean;
}

function finite(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number.parseFloat(text.trim());
  return Number.isFinite(value) ? value : undefined;
}

/** Parses one complete block (the lines up to and including `progress=…`). */
export function parseProgressBlock(lines: readonly string[]): ProgressBlock {
  const values = new Map<string, string>();
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const outTimeUs = finite(values.get('out_time_us'));
  return {
    frame: finite(values.get('frame')),
    fps: finite(values.get('fps')),
    outTimeSeconds: outTimeUs !== undefined && outTimeUs >= 0 ? outTimeUs / 1e6 : undefined,
    totalSize: finite(values.get('total_size')),
    speed: finite(values.get('speed')?.replace(/x$/, '')),
    end: values.get('progress') === 'end',
  };
}

/** Feeds lines one at a time; returns a block each time one completes. */
export function createProgressReader(): (line: string) => ProgressBlock | undefined {
  let pending: string[] = [];
  return (line) => {
    pending.push(line);
    if (!line.startsWith('progress=')) return undefined;
    const block = parseProgressBlock(pending);
    pending = [];
    return block;
  };
}
