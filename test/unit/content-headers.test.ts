import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PLAYLIST_CACHE_CONTROL,
  DEFAULT_SEGMENT_CACHE_CONTROL,
  contentHeaders,
  fileKind,
} from '../../src/core/upload/content-headers.js';

describe('fileKind', () => {
  it.each([
    ['master.m3u8', 'master'],
    ['720p/index.m3u8', 'media-playlist'],
    ['720p/segment_00000.ts', 'segment'],
    ['720p/segment_00000.m4s', 'segment'],
    ['audio/segment_00000.aac', 'segment'],
    ['720p/init.mp4', 'init-segment'],
    ['720p/SEGMENT_00000.TS', 'segment'],
    ['thumbnails.json', 'other'],
    ['README', 'other'],
    ['720p.v2/segment', 'other'],
  ] as const)('%s is a %s', (path, kind) => {
    expect(fileKind(path)).toBe(kind);
  });
});

describe('contentHeaders', () => {
  it('serves playlists as application/vnd.apple.mpegurl with a short cache', () => {
    for (const path of ['master.m3u8', '720p/index.m3u8']) {
      expect(contentHeaders(path)).toEqual({ contentType: 'application/vnd.apple.mpegurl', cacheControl: DEFAULT_PLAYLIST_CACHE_CONTROL });
    }
    expect(DEFAULT_PLAYLIST_CACHE_CONTROL).toBe('public, max-age=60');
  });

  it('serves segments and init segments with their media type, cached for a year as immutable', () => {
    expect(contentHeaders('720p/segment_00000.ts')).toEqual({ contentType: 'video/mp2t', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
    expect(contentHeaders('720p/segment_00000.m4s')).toEqual({ contentType: 'video/mp4', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
    expect(contentHeaders('720p/init.mp4')).toEqual({ contentType: 'video/mp4', cacheControl: DEFAULT_SEGMENT_CACHE_CONTROL });
    expect(contentHeaders('audio/segment_00000.aac').contentType).toBe('audio/aac');
    expect(DEFAULT_SEGMENT_CACHE_CONTROL).toBe('public, max-age=31536000, immutable');
  });

  it('matches extensions case-insensitively', () => {
    expect(contentHeaders('720p/SEGMENT_00000.TS').contentType).toBe('video/mp2t');
    expect(contentHeaders('MASTER.M3U8').contentType).toBe('application/vnd.apple.mpegurl');
  });

  it('falls back to application/octet-stream for unknown or missing extensions', () => {
    expect(contentHeaders('poster.xyz').contentType).toBe('application/octet-stream');
    expect(contentHeaders('720p.v2/segment').contentType).toBe('application/octet-stream');
  });

  it('uses the segment Cache-Control override for segments and init segments only', () => {
    const overrides = { segmentCacheControl: 'no-store' };
    expect(contentHeaders('720p/segment_00000.ts', overrides).cacheControl).toBe('no-store');
    expect(contentHeaders('720p/init.mp4', overrides).cacheControl).toBe('no-store');
    expect(contentHeaders('720p/index.m3u8', overrides).cacheControl).toBe(DEFAULT_PLAYLIST_CACHE_CONTROL);
    expect(contentHeaders('master.m3u8', overrides).cacheControl).toBe(DEFAULT_PLAYLIST_CACHE_CONTROL);
  });

  it('uses the playlist Cache-Control override for master and media playlists only', () => {
    const overrides = { playlistCacheControl: 'no-cache' };
    expect(contentHeaders('master.m3u8', overrides).cacheControl).toBe('no-cache');
    expect(contentHeaders('720p/index.m3u8', overrides).cacheControl).toBe('no-cache');
    expect(contentHeaders('720p/segment_00000.ts', overrides).cacheControl).toBe(DEFAULT_SEGMENT_CACHE_CONTROL);
  });

  it('lets a Content-Type override win for its extension and leaves the others at their defaults', () => {
    const overrides = { contentTypes: { '.ts': 'video/MP2T', '.xyz': 'image/x-custom' } };
    expect(contentHeaders('720p/segment_00000.ts', overrides).contentType).toBe('video/MP2T');
    expect(contentHeaders('poster.xyz', overrides).contentType).toBe('image/x-custom');
    expect(contentHeaders('master.m3u8', overrides).contentType).toBe('application/vnd.apple.mpegurl');
  });

  it('treats explicitly undefined overrides as absent', () => {
    const overrides = { segmentCacheControl: undefined, playlistCacheControl: undefined, contentTypes: undefined };
    expect(contentHeaders('720p/segment_00000.ts', overrides)).toEqual(contentHeaders('720p/segment_00000.ts'));
    expect(contentHeaders('master.m3u8', overrides)).toEqual(contentHeaders('master.m3u8'));
  });
});
