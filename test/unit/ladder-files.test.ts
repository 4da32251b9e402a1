import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { listLadderFiles, readLadder } from '../../src/core/upload/ladder-files.js';

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

const LADDER = ['360p/index.m3u8', '360p/init.mp4', '360p/segment_00000.m4s', '720p/index.m3u8', '720p/segment_00000.ts', '720p/segment_00001.ts', 'master.m3u8'];

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

  it('leaves out files that no playlist names (a stray notes.txt is never uploaded)', async () => {
    writeLadder();
    write('notes.txt', 'private');
    write('thumbnails/poster.jpg', 'jpeg');
    write('720p/segment_00099.ts', 'left over from an earlier encode');
    const listing = await readLadder(dir);
    expect(listing.files.map((f) => f.relativePath).sort()).toEqual(LADDER);
    expect(listing.unreferenced.sort()).toEqual(['720p/segment_00099.ts', 'notes.txt', 'thumbnails/poster.jpg']);
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

describe('listLadderFiles and every URI-bearing tag', () => {
  const KEY = '#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x00000000000000000000000000000001';

  it('uploads the key an EXT-X-KEY names, and checks it is there', async () => {
    writeLadder();
    write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts', 'segment_00001.ts']).replace('#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-PLAYLIST-TYPE:VOD\n${KEY}`));
    write('720p/key.bin', Buffer.alloc(16, 7));
    expect((await listLadderFiles(dir)).map((f) => f.relativePath)).toContain('720p/key.bin');
    rmSync(join(dir, '720p', 'key.bin'));
    await expect(listLadderFiles(dir)).rejects.toThrow(/720p\/index\.m3u8 names 720p\/key\.bin, which is missing/);
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a path escaping the ladder', '../../../etc/passwd'],
    ['a URL', 'https://keys.example.com/k'],
    ['a backslash path', '..\\..\\secret'],
  ])('refuses an EXT-X-KEY URI that is %s', async (_label, uri) => {
    writeLadder();
    write('720p/index.m3u8', mediaPlaylist(['segment_00000.ts', 'segment_00001.ts']).replace('#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-KEY:METHOD=AES-128,URI="${uri}"`));
    const error = await listingError();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(`${dir}: 720p/index.m3u8 names "${uri}", which is not a relative path inside the ladder`);
  });

  it('refuses an EXT-X-SESSION-KEY in the master that escapes the ladder', async () => {
    writeLadder();
    write('master.m3u8', master('720p/index.m3u8', '360p/index.m3u8').replace('#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-SESSION-KEY:METHOD=AES-128,URI="../secret.key"'));
    await expect(listLadderFiles(dir)).rejects.toThrow(/master\.m3u8 names "\.\.\/secret\.key", which is not a relative path inside the ladder/);
  });

  it('follows an I-frame playlist and an audio rendition to their segments, maps and keys', async () => {
    writeLadder();
    write(
      'master.m3u8',
      [
        '#EXTM3U',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English, main",DEFAULT=YES,URI="audio/index.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1500000,AUDIO="aud"',
        '720p/index.m3u8',
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="iframes/index.m3u8"',
        '',
      ].join('\n'),
    );
    write('audio/index.m3u8', mediaPlaylist(['a0.aac']).replace('#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-PLAYLIST-TYPE:VOD\n${KEY}`));
    write('audio/a0.aac', 'aac');
    write('audio/key.bin', Buffer.alloc(16));
    write('iframes/index.m3u8', mediaPlaylist(['i0.m4s'], 'iinit.mp4'));
    write('iframes/i0.m4s', 'i');
    write('iframes/iinit.mp4', 'init');
    const listing = await readLadder(dir);
    expect(listing.files.map((f) => f.relativePath).sort()).toEqual([
      '720p/index.m3u8',
      '720p/segment_00000.ts',
      '720p/segment_00001.ts',
      'audio/a0.aac',
      'audio/index.m3u8',
      'audio/key.bin',
      'iframes/i0.m4s',
      'iframes/iinit.mp4',
      'iframes/index.m3u8',
      'master.m3u8',
    ]);
    // 360p is no longer named by the master: left out.
    expect(listing.unreferenced.sort()).toEqual(['360p/index.m3u8', '360p/init.mp4', '360p/segment_00000.m4s']);
  });

  it('checks each EXT-X-MAP of a playlist with several, and EXT-X-PART / EXT-X-PRELOAD-HINT URIs', async () => {
    writeLadder();
    const text = mediaPlaylist(['segment_00000.m4s'], 'init.mp4').replace(
      '#EXT-X-ENDLIST',
      '#EXT-X-MAP:URI="init2.mp4"\n#EXT-X-PART:DURATION=1.0,URI="part1.m4s"\n#EXTINF:2.0,\nsegment_00001.m4s\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI="../../../hint.m4s"\n#EXT-X-ENDLIST',
    );
    write('360p/index.m3u8', text);
    write('360p/init2.mp4', 'i');
    write('360p/part1.m4s', 'p');
    write('360p/segment_00001.m4s', 's');
    await expect(listLadderFiles(dir)).rejects.toThrow(/360p\/index\.m3u8 names "\.\.\/\.\.\/\.\.\/hint\.m4s", which is not a relative path/);
    write('360p/index.m3u8', text.replace('../../../hint.m4s', 'hint.m4s'));
    await expect(listLadderFiles(dir)).rejects.toThrow(/360p\/hint\.m4s, which is missing/);
    write('360p/hint.m4s', 'h');
    expect((await listLadderFiles(dir)).map((f) => f.relativePath)).toEqual(expect.arrayContaining(['360p/init2.mp4', '360p/part1.m4s', '360p/hint.m4s']));
  });

  it('reads a quoted attribute holding a comma without taking the rest as a URI', async () => {
    writeLadder();
    write('notes.txt', 'private');
    write('master.m3u8', master('720p/index.m3u8', '360p/index.m3u8').replace('#EXT-X-INDEPENDENT-SEGMENTS', '#EXT-X-SESSION-DATA:DATA-ID="com.example.title",VALUE="Clip, URI=notes.txt"'));
    // VALUE holds text that looks like a URI attribute; only real attributes count.
    expect((await readLadder(dir)).unreferenced).toEqual(['notes.txt']);
  });
});
