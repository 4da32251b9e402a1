/** Free-space check before encoding: the ladder and its temp files need room. */
import { statfs } from 'node:fs/promises';
import { EnvironmentError } from '../../errors.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** Bytes available to this user on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

/** Throws unless `dir` has at least max(inputSize x 3, minFree) bytes free. */
export async function checkDiskSpace(dir: string, inputSize: number, minFree: number): Promise<void> {
  const free = await freeBytes(dir);
  const needed = Math.max(inputSize * 3, minFree);
  if (free < needed) {
    throw new EnvironmentError(
      `not enough disk space in ${dir}: ${formatBytes(free)} free, need ${formatBytes(needed)} (3 x input size, at least MIN_DISK_SPACE=${formatBytes(minFree)})`,
    );
  }
}
