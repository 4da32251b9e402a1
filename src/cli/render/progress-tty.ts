/** Progress on a terminal: one cli-progress bar per rendition plus an overall bar with speed and ETA. */
import cliProgress from 'cli-progress';
import chalk from 'chalk';
import type { PipelineEvent } from '../../core/events.js';
import { formatBytes } from '../../core/finish/disk-space.js';
import { formatSeconds } from './format.js';

export function createTtyRenderer(stream: NodeJS.WriteStream) {
  let multibar: cliProgress.MultiBar | undefined;
  let overall: cliProgress.SingleBar | undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  let uploadBar: cliProgress.SingleBar | undefined;

  const stop = () => {
    multibar?.stop();
    multibar = undefined;
  };

  const onEvent = (event: PipelineEvent) => {
    switch (event.type) {
      case 'planned': {
        const { plan } = event;
        stream.write(
          `${chalk.bold('ladder')} ${plan.renditions.map((r) => `${r.name} ${r.width}x${r.height}`).join(', ')} ` +
            chalk.dim(`(x264 preset ${plan.video.preset}: ${plan.presetChoice.reason}; ${plan.processes.length} ffmpeg process${plan.processes.length > 1 ? 'es' : ''}, ${plan.segment.duration} s ${plan.segment.type} segments)\n`),
        );
        multibar = new cliProgress.MultiBar(
          { stream, clearOnComplete: false, hideCursor: true, format: ' {name} {bar} {percentage}% {extra}', barsize: 30, fps: 5, autopadding: true },
          cliProgress.Presets.shades_classic,
        );
        for (const r of plan.renditions) bars.set(r.name, multibar.create(100, 0, { name: r.name.padStart(6), extra: '' }));
        overall = multibar.create(100, 0, { name: chalk.bold(' total'), extra: '' });
        break;
      }
      case 'chunks-planned':
        multibar?.log(`${chalk.bold('chunks')} ${event.chunks} of ${event.chunkSeconds} s, ${event.parallel} at once\n`);
        break;
      case 'encode-progress':
        for (const r of event.renditions) bars.get(r.name)?.update(Math.floor(r.fraction * 100), { extra: '' });
        overall?.update(Math.floor(event.fraction * 100), {
          extra: `${event.speed.toFixed(2)}x  elapsed ${formatSeconds(event.elapsedSeconds)}  ETA ${formatSeconds(event.etaSeconds)}`,
        });
        break;
      case 'stage':
        if (event.stage === 'verify') {
          for (const bar of bars.values()) bar.update(100);
          overall?.update(100);
          stop();
        }
        break;
      case 'upload-planned':
        stop();
        stream.write(`${chalk.bold(event.dryRun ? 'checking' : 'uploading')} ${event.files} files (${formatBytes(event.bytes)}) to ${event.location}\n`);
        multibar = new cliProgress.MultiBar(
          { stream, clearOnComplete: false, hideCursor: true, format: ' {bar} {percentage}% {extra}', barsize: 30, fps: 5 },
          cliProgress.Presets.shades_classic,
        );
        uploadBar = multibar.create(Math.max(1, event.bytes), 0, { extra: '' });
        break;
      case 'upload-progress':
        uploadBar?.update(event.bytesDone, {
          extra: `${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}  ${event.filesDone}/${event.filesTotal} files  ${event.mbps.toFixed(1)} MB/s  ETA ${formatSeconds(event.etaSeconds)}`,
        });
        break;
      case 'upload-retry':
        multibar?.log(`${chalk.yellow('retry')} ${event.key} in ${event.delayMs} ms: ${event.reason}\n`);
        break;
      case 'warning':
        stream.write(`${chalk.yellow('warning')} ${event.message}\n`);
        break;
      default:
        break;
    }
  };
  return { onEvent, stop };
}
