/**
 * SSIM and PSNR of an encoded rendition against its source, with ffmpeg's ssim and psnr filters: the
 * decoded rendition beside the source scaled to the same size the same way the encoder's graph does
 * (bicubic, square pixels, 8-bit 4:2:0), both starting at time 0.
 */
import { execa } from 'execa';
import { EncodeError, abortReason, stderrTail } from '../errors.js';
import { fpsExpression } from '../core/plan/frame-grid.js';

export interface QualityTarget {
  /** The rendition to score (its media playlist). */
  encoded: string;
  source: string;
  sourceVideoStream: number;
  width: number;
  height: number;
  /** Output frame rate; the source is brought to it when it differs. */
  fps: number;
  sourceFps: number;
}

export interface Quality {
  /** Mean SSIM over Y, U and V (1 = identical). */
  ssim: number;
  /** Mean PSNR over Y, U and V, dB (undefined when the frames are identical: infinite). */
  psnr: number | undefined;
}

/** ffmpeg arguments that print the ssim and psnr summaries on stderr and write nothing. */
export function qualityArgs(target: QualityTarget): string[] {
  const fps = Math.abs(target.sourceFps - target.fps) > 0.01 ? `fps=${fpsExpression(target.fps)},` : '';
  const reference = `[1:${target.sourceVideoStream}]${fps}scale=w=${target.width}:h=${target.height}:flags=bicubic,setsar=1,format=yuv420p,setpts=PTS-STARTPTS,split[r1][r2]`;
  // MPEG-TS output starts at ~1.4 s: without setpts the filters would pair frames by timestamp, off by that much.
  const graph = `[0:v:0]setpts=PTS-STARTPTS[d];${reference};[d][r1]ssim=shortest=1[m];[m][r2]psnr=shortest=1`;
  return ['-hide_banner', '-nostdin', '-loglevel', 'info', '-i', target.encoded, '-i', target.source, '-filter_complex', graph, '-an', '-f', 'null', '-'];
}

/** Reads `SSIM ... All:0.98` and `PSNR ... average:41.2` from ffmpeg's stderr; undefined when SSIM is missing. */
export function parseQuality(stderr: string): Quality | undefined {
  const ssim = /\bSSIM\b.*\bAll:([\d.]+)/.exec(stderr);
  if (!ssim) return undefined;
  const psnr = /\bPSNR\b.*\baverage:([\d.]+|inf)/.exec(stderr);
  return { ssim: Number(ssim[1]), psnr: psnr && psnr[1] !== 'inf' ? Number(psnr[1]) : undefined };
}

/** Runs the comparison. */
export async function measureQuality(ffmpeg: string, target: QualityTarget, signal?: AbortSignal): Promise<Quality> {
  let stderr: string;
  try {
    stderr = (await execa(ffmpeg, qualityArgs(target), { cancelSignal: signal, stdin: 'ignore' })).stderr;
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw new EncodeError('could not compare the rendition with its source', { cause: error, details: stderrTail(String((error as { stderr?: unknown }).stderr ?? '')) });
  }
  const quality = parseQuality(stderr);
  if (!quality) throw new EncodeError('ffmpeg printed no SSIM summary', { details: stderrTail(stderr) });
  return quality;
}
