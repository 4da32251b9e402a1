import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MIN_FFMPEG_MAJOR, parseFfmpegVersion } from '../../src/core/tools/binaries.js';

describe('parseFfmpegVersion', () => {
  it('reads the version of the ffmpeg installed here', () => {
    const firstLine = execFileSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0]!;
    const { version, major } = parseFfmpegVersion(firstLine);
    expect(firstLine).toContain(version);
    expect(major).toBeGreaterThanOrEqual(MIN_FFMPEG_MAJOR);
  });

  it.each([
    ['ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers', '5.1.9-0+deb12u1', 5],
    ['ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021 the FFmpeg developers', '4.4.2-0ubuntu0.22.04.1', 4],
    ['ffmpeg version 7.1 Copyright (c) 2000-2024 the FFmpeg developers', '7.1', 7],
    ['ffmpeg version n6.1.1 Copyright (c) 2000-2023 the FFmpeg developers', 'n6.1.1', 6],
    ['ffmpeg version 6.0-static https://johnvansickle.com/ffmpeg/  Copyright (c) 2000-2023 the FFmpeg developers', '6.0-static', 6],
  ])('reads %j', (line, version, major) => {
    expect(parseFfmpegVersion(line)).toEqual({ version, major });
  });

  it('counts git builds as new (no major version to refuse)', () => {
    expect(parseFfmpegVersion('ffmpeg version N-113684-g3d4d6ec2f1-20240215 Copyright (c) 2000-2024 the FFmpeg developers')).toEqual({
      version: 'N-113684-g3d4d6ec2f1-20240215',
      major: undefined,
    });
    expect(parseFfmpegVersion('ffmpeg version 2024-02-15-git-a2cfd6062c-full_build-www.gyan.dev Copyright').major).toBeUndefined();
  });

  it('reports an unknown version for a line without one', () => {
    expect(parseFfmpegVersion('something else entirely')).toEqual({ version: 'unknown', major: undefined });
  });
});
