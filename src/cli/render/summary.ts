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
  const media = result.media.map(
    (m) => `  ${m.name.padEnd(16)} ${m.type === 'AUDIO' ? `${m.channels} ch` : 'WebVTT'} ${m.language.padEnd(5)} peak ${formatKbps(m.bandwidth).padEnd(11)} ${m.segments} segments${m.isDefault ? '  default' : ''}`,
  );
  const where = relative(cwd, result.masterPlaylist) || result.masterPlaylist;
  return [
    `${chalk.green('✔')} ladder ready: ${chalk.bold(where.startsWith('..') ? result.masterPlaylist : where)}`,
    ...rows,
    ...media,
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
    media: result.media.map((m) => ({
      type: m.type,
      name: m.name,
      title: m.title,
      language: m.language,
      default: m.isDefault,
      forced: m.forced,
      channels: m.channels ?? null,
      playlist: m.playlist,
      segments: m.segments,
      duration: Number(m.duration.toFixed(3)),
      bytes: m.bytes,
      bandwidth: m.bandwidth,
      averageBandwidth: m.averageBandwidth,
    })),
    wallSeconds: Number(result.wallSeconds.toFixed(3)),
    encodeSeconds: Number(result.encodeSeconds.toFixed(3)),
    phases: result.phases,
    speed: Number(result.speed.toFixed(3)),
    keptTempDir: result.keptTempDir ?? null,
    verify: result.verifyReport ?? null,
  };
}
