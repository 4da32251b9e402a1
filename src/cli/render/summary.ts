/** The human summary after a transcode, and the --json result object. */
import chalk from 'chalk';
import { relative } from 'node:path';
import type { TranscodeResult } from '../../core/transcode.js';
import { formatKbps, formatSeconds } from './format.js';
import { verifySummaryLine } from './verify-report.js';

export function transcodeSummary(result: TranscodeResult, cwd = process.cwd()): string {
  const rows = result.renditions.map(
    (r) => `  ${r.name.padEnd(6)} ${`${r.width}x${r.height}`.padEnd(10)} peak ${formatKbps(r.bandwidth).padEnd(11)} avg ${formatKbps(r.averageBandwidth).padEnd(11)} ${r.segments} segments  ${r.codecs.join(',')}`,
  );
  const where = relative(cwd, result.masterPlaylist) || result.masterPlaylist;
  return [
    `${chalk.green('✔')} ladder ready: ${chalk.bold(where.startsWith('..') ? result.masterPlaylist : where)}`,
    ...rows,
    `  ${result.input.duration.toFixed(1)} s of video in ${formatSeconds(result.wallSeconds)} (${result.speed.toFixed(2)}x realtime, x264 ${result.preset})`,
    ...(result.verifyReport ? [`  verify: ${verifySummaryLine(result.verifyReport)}`] : []),
    ...(result.keptTempDir ? [`  temp dir kept: ${result.keptTempDir}`] : []),
  ].join('\n');
}

export function transcodeJson(result: TranscodeResult) {
  return {
    ok: true,
    outputDir: result.outputDir,
    masterPlaylist: result.masterPlaylist,
    input: result.input,
    preset: result.preset,
    presetChoice: { ...result.presetChoice, predictedSpeed: result.presetChoice.predictedSpeed === undefined ? null : Number(result.presetChoice.predictedSpeed.toFixed(3)), costModel: result.presetChoice.costModel ?? null },
    processes: result.processes,
    renditions: result.renditions.map((r) => ({
      name: r.name,
      width: r.width,
      height: r.height,
      fps: r.fps,
      playlist: r.playlist,
      segments: r.segments,
      duration: Number(r.duration.toFixed(3)),
      bytes: r.bytes,
      bandwidth: r.bandwidth,
      averageBandwidth: r.averageBandwidth,
      targetBitrate: r.targetBitrate,
      codecs: r.codecs,
    })),
    wallSeconds: Number(result.wallSeconds.toFixed(3)),
    encodeSeconds: Number(result.encodeSeconds.toFixed(3)),
    speed: Number(result.speed.toFixed(3)),
    keptTempDir: result.keptTempDir ?? null,
    verify: result.verifyReport ?? null,
  };
}
