/**
 * The calibration `hlsify bench` writes: this machine's encoder cost per preset, kept in the user's cache
 * dir and valid only for the cores and ffmpeg version it was measured with; presets it lacks are scaled
 * from the built-in table. Reading never throws: a file
 * that is missing, stale or unreadable yields no model (the planner then uses its built-in table).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../../config.js';
import { X264_PRESETS } from '../plan/preset.js';
import { completeCostModel, type CostModel } from '../plan/cost-model.js';

export const calibrationSchema = z.object({
  version: z.literal(1),
  cores: z.number().int().positive(),
  ffmpegVersion: z.string().min(1),
  measuredAt: z.string().min(1),
  coreSecondsPerMegapixel: z.partialRecord(z.enum(X264_PRESETS), z.number().positive().finite()),
});

export type Calibration = z.infer<typeof calibrationSchema>;

/** What a read found: a usable model, or why there is none. */
export type CalibrationRead =
  | { state: 'calibrated'; model: CostModel; calibration: Calibration }
  | { state: 'missing' }
  | { state: 'stale'; reason: string }
  | { state: 'corrupt'; reason: string };

/** `$XDG_CACHE_HOME/hlsify/calibration.json`, else `~/.cache/hlsify/calibration.json`. */
export function defaultCalibrationPath(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache');
  return join(cache, 'hlsify', 'calibration.json');
}

/** Reads the calibration at `path` for a machine with `cores` cores running `ffmpegVersion`. */
export async function readCalibration(path: string, machine: { cores: number; ffmpegVersion: string | undefined }): Promise<CalibrationRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'corrupt', reason: `cannot read ${path}: ${(error as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'corrupt', reason: `${path} is not JSON` };
  }
  const parsed = calibrationSchema.safeParse(json);
  if (!parsed.success) return { state: 'corrupt', reason: `${path}: ${formatIssues(parsed.error.issues)}` };
  const calibration = parsed.data;
  if (calibration.cores !== machine.cores) return { state: 'stale', reason: `measured with ${calibration.cores} core(s), this machine has ${machine.cores}` };
  if (calibration.ffmpegVersion !== machine.ffmpegVersion) return { state: 'stale', reason: `measured with ffmpeg ${calibration.ffmpegVersion}, this is ${machine.ffmpegVersion ?? 'an unknown version'}` };
  return { state: 'calibrated', calibration, model: completeCostModel({ source: 'calibration', coreSecondsPerMegapixel: calibration.coreSecondsPerMegapixel }) };
}

/** Writes the calibration atomically (temp file + rename), creating the cache dir. */
export async function writeCalibration(path: string, calibration: Calibration): Promise<void> {
  const valid = calibrationSchema.parse(calibration);
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(valid, null, 2)}\n`);
  await rename(partial, path);
}
