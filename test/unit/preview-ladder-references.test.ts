import { describe, expect, it } from 'vitest';
import { playlistUris, referencedPath } from '../../src/preview/ladder-references.js';

describe('playlistUris', () => {
  it('reads URI lines and every URI="…" attribute', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.bin",IV=0x01',
      '#EXT-X-MAP:URI="init.mp4"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio/index.m3u8"',
      '#EXTINF:6,',
      'segment_00000.m4s',
      '',
      '#EXT-X-ENDLIST',
    ].join('\r\n');
    expect(playlistUris(text)).toEqual(['keys/k1.bin', 'init.mp4', 'audio/index.m3u8', 'segment_00000.m4s']);
  });
});

describe('referencedPath', () => {
  it('resolves against the playlist folder, without query or fragment, percent-decoded', () => {
    expect(referencedPath('360p', 'segment_00000.ts')).toBe('360p/segment_00000.ts');
    expect(referencedPath('360p', '../audio/a.ts?x=1#t')).toBe('audio/a.ts');
    expect(referencedPath('', 'my%20clip/index.m3u8')).toBe('my clip/index.m3u8');
  });

  it('drops what is not a relative path inside the ladder, and hidden names', () => {
    for (const [folder, uri] of [
      ['', '../secret.txt'],
      ['360p', '../../x.ts'],
      ['', '/etc/passwd'],
      ['', 'http://example.com/a.ts'],
      ['', 'file:///etc/passwd'],
      ['', '.env'],
      ['360p', '.hidden.ts'],
      ['', '.git/config'],
      ['', '%2eenv'],
      ['', 'a%5c..%5cb'],
      ['', '%E0%A4%A'],
    ]) {
      expect(referencedPath(folder!, uri!), `${folder} + ${uri}`).toBeUndefined();
    }
  });
});
