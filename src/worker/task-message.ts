/**
 * A task of a chunked job as it travels on the work queue, validated with zod like a job: one chunk of
 * the video, or the audio and subtitles of the whole file. It carries the job it belongs to (where the
 * input and the ladder are, its webhook and priority) and the run's token; everything else (how many
 * chunks, whether there is a media task, the time limit) is in the run's `plan.json` in the bucket,
 * written once by the worker that split the job. A message is anyone's to forge: a task that does not
 * match its run's plan is refused (run-task.ts).
 */
import { z } from 'zod';
import { formatIssues } from '../config.js';
import { InputError } from '../errors.js';
import { runTokenSchema } from './chunk-run.js';
import { jobMessageSchema } from './job-message.js';

export const taskMessageSchema = z
  .object({
    task: z.enum(['chunk', 'media']),
    /** Index of the chunk (chunk tasks). */
    chunk: z.number().int().min(0).max(99_999).optional(),
    job: jobMessageSchema,
    /** The token of the run the task belongs to (chunk-run.ts). */
    run: runTokenSchema,
  })
  .strict()
  .refine((t) => (t.task === 'chunk' ? t.chunk !== undefined : t.chunk === undefined), { message: 'a chunk task names a chunk of its job; a media task none' });

export type TaskMessage = z.infer<typeof taskMessageSchema>;

/** The task's name in events and logs: "chunk 3" or "media". */
export function taskName(task: Pick<TaskMessage, 'task' | 'chunk'>): string {
  return task.task === 'chunk' ? `chunk ${task.chunk}` : 'media';
}

/** Whether a delivery's body is a task rather than a job (it has a `task` field). */
export function looksLikeTask(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'task' in json;
}

export function parseTaskJson(json: unknown): TaskMessage {
  const result = taskMessageSchema.safeParse(json);
  if (!result.success) throw new InputError(`invalid task: ${formatIssues(result.error.issues)}`);
  return result.data;
}
