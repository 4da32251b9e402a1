/** The events a finished task of a chunked job makes: its own `task` event, and the job's `completed` when it finished the job. */
import { renditionsEventField, verifyEventField, type JobEventInput } from './job-events.js';
import type { TaskOutcome } from './run-task.js';
import { taskName, type TaskMessage } from './task-message.js';
import type { RunningJob } from './worker-options.js';

export function taskOutcomeEvents(task: TaskMessage, running: Pick<RunningJob, 'attempt' | 'startedAt'>, outcome: TaskOutcome, worker: string, now = Date.now()): JobEventInput[] {
  const seconds = Number(((now - running.startedAt) / 1000).toFixed(3));
  const base = { type: 'task' as const, jobId: task.job.id, attempt: running.attempt, task: taskName(task), worker, seconds };
  if (outcome.status === 'refused') throw new Error('a refused task is dead-lettered, not reported as a task of the job');
  const own: JobEventInput = outcome.status === 'skipped' ? { ...base, status: 'skipped', reason: outcome.reason } : { ...base, status: outcome.status };
  if (outcome.status === 'skipped' || !outcome.finished) return [own];
  const { finished, run } = outcome;
  return [
    own,
    {
      type: 'completed',
      jobId: task.job.id,
      attempt: running.attempt,
      status: 'completed',
      master: finished.master,
      // From the split: the job's time, not this task's.
      seconds: Number(((now - run.splitAt) / 1000).toFixed(3)),
      renditions: renditionsEventField(finished.renditions),
      uploaded: finished.uploaded,
      verify: verifyEventField(finished.verify),
      chunks: run.chunks,
    },
  ];
}
