/**
 * Moves the finished ladder from the temp dir to the output dir so that the output dir only ever appears
 * complete: a rename on the same filesystem, else a copy to a hidden sibling renamed into place.
 */
import { cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EnvironmentError } from '../../errors.js';

/** Fails early when `outputDir` exists and is not empty (unless `force`). */
export async function checkOutputDir(outputDir: string, force: boolean): Promise<void> {
  const info = await stat(outputDir).catch(() => undefined);
  if (!info) return;
  if (!info.isDirectory()) throw new EnvironmentError(`output ${outputDir} exists and is not a directory`);
  if (!force && (await readdir(outputDir)).length > 0) {
    throw new EnvironmentError(`output ${outputDir} already exists and is not empty (use --force to replace it)`);
  }
}

async function moveInto(source: string, target: string): Promise<void> {
  try {
    await rename(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
    try {
      await cp(source, staging, { recursive: true });
      await rename(staging, target);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** Publishes `ladderDir` as `outputDir`, replacing an existing one only when `force` is set. */
export async function publishOutput(ladderDir: string, outputDir: string, force: boolean): Promise<void> {
  await checkOutputDir(outputDir, force);
  await mkdir(dirname(outputDir), { recursive: true });
  const existing = await stat(outputDir).catch(() => undefined);
  let previous: string | undefined;
  if (existing) {
    previous = join(dirname(outputDir), `.${basename(outputDir)}.old-${process.pid}`);
    await rename(outputDir, previous);
  }
  try {
    await moveInto(ladderDir, outputDir);
  } catch (error) {
    if (previous) await rename(previous, outputDir).catch(() => undefined);
    throw new EnvironmentError(`could not write output ${outputDir}: ${(error as Error).message}`, { cause: error });
  }
  if (previous) await rm(previous, { recursive: true, force: true });
}
