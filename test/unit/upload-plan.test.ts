import { describe, expect, it } from 'vitest';
import { DEFAULT_PLAYLIST_CACHE_CONTROL, DEFAULT_SEGMENT_CACHE_CONTROL } from '../../src/core/upload/content-headers.js';
import { planUpload, type LocalFile } from '../../src/core/upload/upload-plan.js';

function file(relativePath: string, size = 100): LocalFile {
  return { relativePath, absolutePath: `/ladders/launch/${relativePath}`, size };
}

// A two-rung ladder (MPEG-TS 720p, fMP4 360p), listed in a scrambled order as a directory walk might.
const LADDER: LocalFile[] = [
  file('master.m3u8', 300),
  file('720p/segment_00001.ts', 2000),
  file('360p/index.m3u8', 200),
  file('360p/segment_00000.m4s', 800),
  file('720p/index.m3u8', 210),
  file('360p/init.mp4', 50),
  file('720p/segment_00000.ts', 2100),
];

const location = { bucket: 'my-videos', prefix: '2024/launch' };

describe('planUpload', () => {
  it('uploads segments first, then media playlists, then master.m3u8 alone and last', () => {
    const plan = planUpload(LADDER, location);
    expect(plan.phases.map((phase) => phase.map((o) => o.relativePath))).toEqual([
      ['360p/init.mp4', '360p/segment_00000.m4s', '720p/segment_00000.ts', '720p/segment_00001.ts'],
      ['360p/index.m3u8', '720p/index.m3u8'],
      ['master.m3u8'],
    ]);
  });

  it('plans every file exactly once and counts files and bytes', () => {
    const plan = planUpload(LADDER, location);
    expect(plan.phases.flat().map((o) => o.relativePath).sort()).toEqual(LADDER.map((f) => f.relativePath).sort());
    expect(plan.files).toBe(7);
    expect(plan.bytes).toBe(300 + 2000 + 200 + 800 + 210 + 50 + 2100);
    expect(plan.location).toEqual(location);
  });

  it('keys every object under the prefix and keeps the local path to read from', () => {
    const objects = planUpload(LADDER, location).phases.flat();
    const master = objects.find((o) => o.relativePath === 'master.m3u8');
    expect(master).toMatchObject({ key: '2024/launch/master.m3u8', absolutePath: '/ladders/launch/master.m3u8', size: 300 });
    for (const object of objects) expect(object.key).toBe(`2024/launch/${object.relativePath}`);
  });

  it('keys objects at the bucket root when the prefix is empty', () => {
    const objects = planUpload(LADDER, { bucket: 'my-videos', prefix: '' }).phases.flat();
    expect(objects.map((o) => o.key).sort()).toEqual(LADDER.map((f) => f.relativePath).sort());
  });

  it('gives each object its Content-Type and Cache-Control', () => {
    const byPath = new Map(planUpload(LADDER, location).phases.flat().map((o) => [o.relativePath, o]));
    expect(byPath.get('master.m3u8')).toMatchObject({ contentType: 'application/vnd.apple.mpegurl', cacheControl: DEFAULT_PLAYLIST_CACHE_CONTROL });
    expect(byPath.get('720p/index.m3u8')).toMatchObject({ contentType: 'application/vnd.apple.mpegurl', cacheControl: DEFAULT_PLAYLIST_CACHE_CONTROL });
    expect(byPath.get('720p/segment_00000.ts')).toMatchObject({ contentType: 'video/mp2t', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
    expect(byPath.get('360p/segment_00000.m4s')).toMatchObject({ contentType: 'video/mp4', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
    expect(byPath.get('360p/init.mp4')).toMatchObject({ contentType: 'video/mp4', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
  });

  it('applies header overrides', () => {
    const plan = planUpload(LADDER, location, { playlistCacheControl: 'no-cache', segmentCacheControl: 'max-age=600', contentTypes: { '.ts': 'video/MP2T' } });
    const byPath = new Map(plan.phases.flat().map((o) => [o.relativePath, o]));
    expect(byPath.get('master.m3u8')?.cacheControl).toBe('no-cache');
    expect(byPath.get('360p/index.m3u8')?.cacheControl).toBe('no-cache');
    expect(byPath.get('720p/segment_00000.ts')).toMatchObject({ contentType: 'video/MP2T', cacheControl: 'max-age=600' });
  });

  it('puts files it does not recognise with the segments, before any playlist', () => {
    const plan = planUpload([file('master.m3u8'), file('720p/index.m3u8'), file('720p/segment_00000.ts'), file('thumbnails.json')], location);
    expect(plan.phases[0]?.map((o) => o.relativePath)).toEqual(['720p/segment_00000.ts', 'thumbnails.json']);
    expect(plan.phases.at(-1)?.map((o) => o.relativePath)).toEqual(['master.m3u8']);
  });

  it('leaves out empty phases', () => {
    const plan = planUpload([file('720p/segment_00000.ts'), file('master.m3u8')], location);
    expect(plan.phases.map((phase) => phase.map((o) => o.relativePath))).toEqual([['720p/segment_00000.ts'], ['master.m3u8']]);
    expect(planUpload([], location)).toEqual({ location, phases: [], files: 0, bytes: 0 });
  });

  it('does not reorder the caller’s list', () => {
    const input = [...LADDER];
    planUpload(input, location);
    expect(input).toEqual(LADDER);
  });
});

describe('planUpload on a flat ladder (ffmpeg-style stream_0.m3u8 beside master.m3u8)', () => {
  it('still sends the root-level media playlist before master.m3u8, which goes alone and last', () => {
    const plan = planUpload([file('master.m3u8'), file('stream_0.m3u8'), file('stream_0_000.ts')], location);
    expect(plan.phases.map((phase) => phase.map((o) => o.relativePath))).toEqual([['stream_0_000.ts'], ['stream_0.m3u8'], ['master.m3u8']]);
  });
});
