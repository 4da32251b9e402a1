/** The human summary after an upload, and the --json object (no credentials, no endpoint secrets). */
import chalk from 'chalk';
import type { UploadResult } from '../../core/upload/upload-ladder.js';
import { formatBytes } from '../../core/finish/disk-space.js';

export function uploadSummary(result: UploadResult): string {
  if (result.dryRun) {
    const lines = result.objects.map((o) => `  ${o.status === 'would-upload' ? 'upload' : 'same  '} ${o.key} (${formatBytes(o.bytes)})`);
    return [`dry run: ${result.uploaded} of ${result.files} files would be uploaded to ${result.location}`, ...lines].join('\n');
  }
  return [
    `${chalk.green('✔')} uploaded ${chalk.bold(result.masterPlaylist)}`,
    `  ${result.uploaded} files sent (${formatBytes(result.bytesUploaded)}), ${result.skipped} already there, ${result.retried} retries, ${result.seconds.toFixed(1)} s, ${result.mbps.toFixed(1)} MB/s`,
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
  };
}
