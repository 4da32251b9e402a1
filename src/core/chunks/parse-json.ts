/** JSON read back from the bucket, checked against its zod schema: anything else is an InputError naming the file and the problem. */
import type { z } from 'zod';
import { formatIssues } from '../../config.js';
import { InputError } from '../../errors.js';

export function parseJsonWith<T extends z.ZodType>(schema: T, text: string, label: string): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${label}: not valid JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new InputError(`${label}: ${formatIssues(result.error.issues)}`);
  return result.data;
}
