/**
 * A queued job's progress as `hlsify submit --wait` shows it, from the worker's job events: on a terminal
 * one bar like transcode's total bar, elsewhere plain lines (at most one progress line every few seconds).
 */
import cliProgress from 'cli-progress';
import chalk from 'chalk';
import type { JobEvent } from '../../worker/job-events.js';
import { formatSeconds, percent } from './format.js';

export function createJobRenderer(stream: NodeJS.WriteStream, options: { tty: boolean; intervalMs?: number }) {
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  let split: { tasks: number; done: number } | undefined;
  const line = (text: string) => {
    if (bar) stop();
    stream.write(`${text}\n`);
  };
  /** On a terminal, one percentage bar headed `label`. */
  const startBar = (label: string) => {
    if (!options.tty) return;
    bar = new cliProgress.SingleBar({ stream, clearOnComplete: false, hideCursor: true, format: `${chalk.bold(label)} {bar} {percentage}% {extra}`, barsize: 30, fps: 5 }, cliProgress.Presets.shades_classic);
    bar.start(100, 0, { extra: '' });
  };
  const onEvent = (event: JobEvent) => {
    switch (event.type) {
      case 'started':
        line(`job ${event.jobId}: started (attempt ${event.attempt}) ${event.input} → ${event.output}`);
        startBar(' total');
        break;
      case 'split':
        split = { tasks: event.tasks, done: 0 };
        line(`job ${event.jobId}: split into ${event.chunks} chunks of ${event.chunkSeconds} s${event.tasks > event.chunks ? ' and an audio/subtitle task' : ''}, for any worker`);
        startBar(' tasks');
        break;
      case 'task': {
        if (split && event.status !== 'skipped') split.done++;
        const done = split ? `${split.done}/${split.tasks} tasks` : '';
        if (bar && split) {
          bar.update(Math.floor((split.done / split.tasks) * 100), { extra: `${done}  ${event.task} by ${event.worker}` });
          break;
        }
        line(`job ${event.jobId}: ${event.task} ${event.status}${event.reason ? ` (${event.reason})` : ''} by ${event.worker}${event.seconds === undefined ? '' : ` in ${event.seconds.toFixed(1)} s`}${done ? `; ${done}` : ''}`);
        break;
      }
      case 'progress': {
        // A chunk task's progress is its chunk's: a chunked job's progress is its tasks done.
        if ('task' in event) break;
        const extra = `${event.speed.toFixed(2)}x  ETA ${formatSeconds(event.etaSeconds)}`;
        if (bar) {
          bar.update(Math.floor(event.fraction * 100), { extra });
          break;
        }
        const now = Date.now();
        if (now - lastLine < (options.intervalMs ?? 5_000)) break;
        lastLine = now;
        line(`${event.stage} ${percent(event.fraction)} speed ${event.speed.toFixed(2)}x eta ${formatSeconds(event.etaSeconds)}`);
        break;
      }
      case 'retrying':
        line(`job ${event.jobId}: attempt ${event.attempt} failed (${event.reason}); retry in ${Math.round(event.retryInMs / 1000)} s`);
        break;
      case 'requeued':
        line(`job ${event.jobId}: handed back to the queue (${event.reason})`);
        break;
      case 'completed':
        bar?.update(100);
        line(
          event.status === 'already-complete'
            ? `job ${event.jobId}: already complete at ${event.master}`
            : `job ${event.jobId}: completed in ${event.seconds.toFixed(1)} s: ${event.master}${event.renditions ? ` (${event.renditions.map((r) => `${r.width}x${r.height}`).join(', ')})` : ''}`,
        );
        break;
      case 'failed':
        stop();
        break;
    }
  };
  return { onEvent, stop };
}
