/** The human summary after an upload, and the --json object (no credentials, no endpoint secrets). */
import chalk from 'chalk';
import type { UploadResult } from '../../core/upload/upload-ladder.js';
import { formatBytes } from '../../core/finish/disk-space.js';

/** The line naming files left out because no playlist names them, or none. */
function leftOut(result: UploadResult): string[] {
  const names = result.unreferenced;
  if (names.length === 0) return [];
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length - 5} more)` : '');
  return [`  not uploaded, no playlist names ${names.length === 1 ? 'it' : 'them'}: ${shown}`];
}

export function uploadSummary(result: UploadResult): string {
  if (result.dryRun) {
    const lines = result.objects.map((o) => `  ${o.status === 'would-upload' ? 'upload' : 'same  '} ${o.key} (${formatBytes(o.bytes)})`);
    return [`dry run: ${result.uploaded} of ${result.files} files would be uploaded to ${result.location}`, ...lines, ...leftOut(result)].join('\n');
  }
  return [
    `${chalk.green('✔')} uploaded ${chalk.bold(result.masterPlaylist)}`,
    `  ${result.uploaded} files sent (${formatBytes(result.bytesUploaded)}), ${result.skipped} already there, ${result.retried} retries, ${result.seconds.toFixed(1)} s, ${result.mbps.toFixed(1)} MB/s`,
    ...leftOut(result),
  ].join('\n');
}

export function uploadJson(result: UploadResult) {
  return {
    ok: true,
    location: result.location,
    masterPlaylist: result.masterPlaylist,
    dryRun: result.dryRun,
    files: result.files,
    uploaded: result.uploaded,
    skipped: result.skipped,
    retried: result.retried,
    bytes: result.bytesUploaded,
    bytesSkipped: result.bytesSkipped,
    seconds: Number(result.seconds.toFixed(3)),
    mbps: Number(result.mbps.toFixed(2)),
    objects: result.objects,
    unreferenced: result.unreferenced,
  };
}
