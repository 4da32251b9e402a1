import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { listLadderFiles } from '../../src/core/upload/ladder-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hlsify-ladder-files-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(relativePath: string, content: string | Buffer): void {
  const path = join(dir, ...relativePath.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function master(...uris: string[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const uri of uris) lines.push('#EXT-X-STREAM-INF:BANDWIDTH=1500000,RESOLUTION=1280x720', uri);
  return `${lines.join('\n')}\n`;
}

function mediaPlaylist(segments: string[], initUri?: string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
  if (initUri) lines.push(`#EXT-X-MAP:URI="${initUri}"`);
  for (const segment of segments) lines.push('#EXTINF:2.000000,', segment);
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** A finished two-rung ladder as hlsify writes it: 720p MPEG-TS, 360p fMP4. */
function writeLadder(): void {
  write('master.m3u8', master('720p/index.m3u8', '360p/index.m3u8'));
  write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts', 'segment_00001.ts']));
  write('720p/segment_00000.ts', Buffer.alloc(188 * 3));
  write('720p/segment_00001.ts', Buffer.alloc(188));
  write('360p/index.m3u8', mediaPlaylist(['segment_00000.m4s'], 'init.mp4'));
  write('360p/init.mp4', Buffer.alloc(40));
  write('360p/segment_00000.m4s', Buffer.alloc(500));
}

async function listingError(): Promise<unknown> {
  return listLadderFiles(dir).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('listLadderFiles', () => {
  it('lists every file of a complete ladder with forward-slash paths relative to the ladder, and sizes', async () => {
    writeLadder();
    const files = await listLadderFiles(dir);
    const sorted = [...files].sort((a, b) => a.relativePath.localeCompare(b.relativePath));
    expect(sorted.map((f) => f.relativePath)).toEqual([
      '360p/index.m3u8',
      '360p/init.mp4',
      '360p/segment_00000.m4s',
      '720p/index.m3u8',
      '720p/segment_00000.ts',
      '720p/segment_00001.ts',
      'master.m3u8',
    ]);
    const byPath = new Map(files.map((f) => [f.relativePath, f]));
    expect(byPath.get('720p/segment_00000.ts')).toEqual({ relativePath: '720p/segment_00000.ts', absolutePath: join(dir, '720p', 'segment_00000.ts'), size: 564 });
    expect(byPath.get('360p/init.mp4')?.size).toBe(40);
  });

  it('skips dotfiles and dot-folders (.DS_Store, editor and VCS leftovers)', async () => {
    writeLadder();
    write('.DS_Store', 'x');
    write('720p/.segment_00000.ts.swp', 'x');
    write('.git/config', 'x');
    write('.cache/720p/segment_00000.ts', 'x');
    const paths = (await listLadderFiles(dir)).map((f) => f.relativePath);
    expect(paths).toHaveLength(7);
    expect(paths.filter((p) => p.split('/').some((part) => part.startsWith('.')))).toEqual([]);
  });

  it('keeps extra files that no playlist names (uploaded alongside the ladder)', async () => {
    writeLadder();
    write('thumbnails/poster.jpg', 'jpeg');
    expect((await listLadderFiles(dir)).map((f) => f.relativePath)).toContain('thumbnails/poster.jpg');
  });

  it('accepts segment URIs with a query string, checking the file without it', async () => {
    writeLadder();
    write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts?v=2', 'segment_00001.ts']));
    expect(await listLadderFiles(dir)).toHaveLength(7);
  });

  it('rejects a directory that does not exist', async () => {
    rmSync(dir, { recursive: true, force: true });
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: no such directory`);
  });

  it('rejects a file given as the ladder directory', async () => {
    write('video.mp4', 'x');
    await expect(listLadderFiles(join(dir, 'video.mp4'))).rejects.toThrow(/no such directory/);
  });

  it('rejects a ladder without master.m3u8 as unfinished', async () => {
    writeLadder();
    rmSync(join(dir, 'master.m3u8'));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/no master\.m3u8, so not a finished ladder/);
  });

  it('rejects a master.m3u8 that is not a playlist', async () => {
    writeLadder();
    write('master.m3u8', '<html>oops</html>');
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/master\.m3u8 is not an M3U8 playlist/);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['an absolute path inside the ladder', '/720p/index.m3u8'],
    ['a path escaping the ladder with ..', '../other-ladder/720p/index.m3u8'],
    ['a path escaping the ladder through a folder', '720p/../../index.m3u8'],
    ['an https URL', 'https://cdn.example.com/720p/index.m3u8'],
    ['a file URL', 'file:///etc/passwd'],
    ['a protocol-relative URL', '//cdn.example.com/720p/index.m3u8'],
  ])('rejects a master.m3u8 naming %s', async (_label, uri) => {
    writeLadder();
    write('master.m3u8', master('720p/index.m3u8', uri));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: master.m3u8 names "${uri}", which is not a relative path inside the ladder`);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a path escaping the ladder with ..', '../../secret.ts'],
    ['an https URL', 'https://cdn.example.com/segment_00000.ts'],
  ])('rejects a media playlist naming %s as a segment', async (_label, uri) => {
    writeLadder();
    write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts', uri]));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: 720p/index.m3u8 names "${uri}", which is not a relative path inside the ladder`);
  });

  it('rejects an init segment URI that escapes the ladder', async () => {
    writeLadder();
    write('360p/index.m3u8', mediaPlaylist(['segment_00000.m4s'], '../../init.mp4'));
    await expect(listLadderFiles(dir)).rejects.toThrow(/360p\/index\.m3u8 names "\.\.\/\.\.\/init\.mp4", which is not a relative path inside the ladder/);
  });

  it('allows .. that stays inside the ladder (a shared init segment)', async () => {
    writeLadder();
    write('shared/init.mp4', Buffer.alloc(10));
    write('360p/index.m3u8', mediaPlaylist(['segment_00000.m4s'], '../shared/init.mp4'));
    expect((await listLadderFiles(dir)).map((f) => f.relativePath)).toContain('shared/init.mp4');
  });

  it('rejects a ladder whose media playlist is missing', async () => {
    writeLadder();
    rmSync(join(dir, '360p', 'index.m3u8'));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: master.m3u8 names 360p/index.m3u8, which is missing`);
  });

  it('rejects a ladder with a missing segment, naming it', async () => {
    writeLadder();
    rmSync(join(dir, '720p', 'segment_00001.ts'));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: 720p/index.m3u8 names 720p/segment_00001.ts, which is missing`);
  });

  it('rejects a ladder with a missing init segment', async () => {
    writeLadder();
    rmSync(join(dir, '360p', 'init.mp4'));
    await expect(listLadderFiles(dir)).rejects.toThrow(/360p\/index\.m3u8 names 360p\/init\.mp4, which is missing/);
  });

  it('does not count a hidden file as the segment a playlist names', async () => {
    writeLadder();
    write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts', '.segment_00001.ts']));
    write('720p/.segment_00001.ts', 'x');
    await expect(listLadderFiles(dir)).rejects.toThrow(/720p\/index\.m3u8 names 720p\/\.segment_00001\.ts, which is missing/);
  });

  it('rejects a media playlist that is not a playlist', async () => {
    writeLadder();
    write('720p/index.m3u8', 'segment_00000.ts\n');
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/720p\/index\.m3u8 is not a media playlist/);
  });
});

describe('listLadderFiles and URI attributes in the master playlist', () => {
  it('refuses an EXT-X-MEDIA rendition whose URI points outside the ladder', async () => {
    writeLadder();
    write('master.m3u8', `#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="/etc/passwd"\n${master('720p/index.m3u8').replace('#EXTM3U\n', '')}`);
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/\/etc\/passwd.*not a relative path inside the ladder/);
  });

  it('checks the segments of an EXT-X-MEDIA playlist too', async () => {
    writeLadder();
    write('audio/index.m3u8', mediaPlaylist(['segment_00000.aac']));
    write('master.m3u8', `#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8"\n${master('720p/index.m3u8').replace('#EXTM3U\n', '')}`);
    const error = await listingError();
    expect((error as Error).message).toMatch(/audio\/segment_00000\.aac, which is missing/);
  });
});
