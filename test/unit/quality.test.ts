import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuality, qualityArgs } from '../../src/bench/quality.js';
import { ROOT } from '../helpers/cli.js';

const target = { encoded: '/l/1080p/index.m3u8', source: '/in.mp4', sourceVideoStream: 0, width: 1920, height: 1080, fps: 30, sourceFps: 30 };

describe('parseQuality', () => {
  it('reads SSIM All and PSNR average from a real ffmpeg 5.1 run', async () => {
    const stderr = await readFile(join(ROOT, 'test', 'data', 'quality-ffmpeg-5.1.txt'), 'utf8');
    expect(parseQuality(stderr)).toEqual({ ssim: 0.991791, psnr: 43.140971 });
  });

  it('has no PSNR for identical frames (inf) and nothing without an SSIM summary', () => {
    expect(parseQuality('[Parsed_ssim_1 @ 0x1] SSIM Y:1.000000 (inf) All:1.000000 (inf)\n[Parsed_psnr_2 @ 0x2] PSNR y:inf average:inf min:inf max:inf')).toEqual({ ssim: 1, psnr: undefined });
    expect(parseQuality('Conversion failed!')).toBeUndefined();
  });
});

describe('qualityArgs', () => {
  it('scores the decoded rendition against the source scaled the same way, both from time 0, writing nothing', () => {
    const args = qualityArgs(target);
    expect(args.slice(args.indexOf('-i'), args.indexOf('-i') + 4)).toEqual(['-i', '/l/1080p/index.m3u8', '-i', '/in.mp4']);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toBe('[0:v:0]setpts=PTS-STARTPTS[d];[1:0]scale=w=1920:h=1080:flags=bicubic,setsar=1,format=yuv420p,setpts=PTS-STARTPTS,split[r1][r2];[d][r1]ssim=shortest=1[m];[m][r2]psnr=shortest=1');
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
  });

  it('brings the source to the output frame rate when they differ', () => {
    const graph = qualityArgs({ ...target, sourceVideoStream: 1, sourceFps: 59.94, fps: 29.97 }).join(' ');
    expect(graph).toContain('[1:1]fps=30000/1001,scale=w=1920');
  });
});
