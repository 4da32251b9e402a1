/** Progress for logs and pipes: plain lines, at most one progress line every few seconds. */
import type { PipelineEvent } from '../../core/events.js';
import type { EncodePlan } from '../../core/plan/encode-plan.js';
import { formatBytes } from '../../core/finish/disk-space.js';
import { formatSeconds, percent } from './format.js';
import { describeTreatment } from '../../core/plan/source-treatment.js';

/** "; audio: audio-en-stereo, …; subtitles: subs-en" for a plan with separate audio or subtitles. */
function mediaSummary(plan: EncodePlan): string {
  const audio = plan.audioRenditions.map((r) => r.name);
  const subtitles = plan.subtitleRenditions.map((r) => r.name);
  return `${audio.length > 0 ? `; audio: ${audio.join(', ')}` : ''}${subtitles.length > 0 ? `; subtitles: ${subtitles.join(', ')}` : ''}`;
}

export function createPlainRenderer(stream: NodeJS.WritableStream, intervalMs = 5000) {
  let lastLine = 0;
  const onEvent = (event: PipelineEvent) => {
    switch (event.type) {
      case 'probed': {
        const { media } = event;
        stream.write(
          `probed ${media.path}: ${media.video ? `${media.video.displayWidth}x${media.video.displayHeight} ${media.video.fps.toFixed(3)} fps ` : 'no video, '}${media.duration.toFixed(2)} s, ${media.video ? `${media.video.codec} ${media.video.pixFmt}, ` : ''}${media.audio ? `audio ${media.audio.codec} ${media.audio.channels} ch` : 'no audio'}${(media.audioTracks?.length ?? 0) > 1 ? ` (${media.audioTracks!.length} tracks)` : ''}\n`,
        );
        break;
      }
      case 'planned':
        stream.write(
          `plan: ${event.plan.renditions.map((r) => `${r.name} ${r.width}x${r.height} ${Math.round(r.videoBitrate / 1000)}k`).join(', ')}; x264 preset ${event.plan.video.preset}: ${event.plan.presetChoice.reason}; ${event.plan.processes.length} ffmpeg process(es) [${event.plan.processes.map((g) => g.map((i) => event.plan.renditions[i]!.name).join('+')).join(' | ')}]${mediaSummary(event.plan)}\n`,
        );
        if (describeTreatment(event.plan.treatment, event.plan.video.fps)) stream.write(`source: ${describeTreatment(event.plan.treatment, event.plan.video.fps)}\n`);
        break;
      case 'chunks-planned':
        stream.write(`chunks: ${event.chunks} of ${event.chunkSeconds} s, ${event.parallel} at once\n`);
        break;
      case 'encode-progress': {
        const now = Date.now();
        if (now - lastLine < intervalMs && event.fraction < 1) break;
        lastLine = now;
        stream.write(
          `encode ${percent(event.fraction)} ${event.renditions.map((r) => `${r.name}=${percent(r.fraction)}`).join(' ')} speed ${event.speed.toFixed(2)}x elapsed ${formatSeconds(event.elapsedSeconds)} eta ${formatSeconds(event.etaSeconds)}\n`,
        );
        break;
      }
      case 'stage':
        if (event.stage !== 'probe' && event.stage !== 'plan' && event.stage !== 'encode') stream.write(`${event.stage}...\n`);
        break;
      case 'upload-planned':
        stream.write(`${event.dryRun ? 'checking' : 'uploading'} ${event.files} files (${formatBytes(event.bytes)}) to ${event.location}\n`);
        break;
      case 'upload-progress': {
        const now = Date.now();
        if (now - lastLine < intervalMs && event.filesDone < event.filesTotal) break;
        lastLine = now;
        stream.write(
          `upload ${percent(event.bytesTotal > 0 ? event.bytesDone / event.bytesTotal : 1)} ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)} ${event.filesDone}/${event.filesTotal} files ${event.mbps.toFixed(1)} MB/s eta ${formatSeconds(event.etaSeconds)}\n`,
        );
        break;
      }
      case 'upload-retry':
        stream.write(`retry ${event.key} (attempt ${event.attempt + 1}) in ${event.delayMs} ms: ${event.reason}\n`);
        break;
      case 'warning':
        stream.write(`warning: ${event.message}\n`);
        break;
      default:
        break;
    }
  };
  return { onEvent, stop: () => {} };
}
