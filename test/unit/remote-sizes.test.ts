import { describe, expect, it } from 'vitest';
import { remoteSizeLookup } from '../../src/core/upload/remote-sizes.js';

describe('remoteSizeLookup', () => {
  it('a complete listing: listed keys have their size, every other key is absent', () => {
    const lookup = remoteSizeLookup({ sizes: new Map([['p/a.ts', 10]]), complete: true, lastKey: 'p/a.ts' });
    expect(lookup('p/a.ts')).toBe(10);
    expect(lookup('p/b.ts')).toBe('absent');
  });

  it('a listing cut short: keys up to the last listed one are known, later ones need a HEAD', () => {
    const lookup = remoteSizeLookup({ sizes: new Map([['p/1080p/s1.ts', 5], ['p/360p/s1.ts', 7]]), complete: false, lastKey: 'p/360p/s1.ts' });
    expect(lookup('p/1080p/s0.ts')).toBe('absent');
    expect(lookup('p/360p/s1.ts')).toBe(7);
    expect(lookup('p/720p/s0.ts')).toBe('unknown');
    expect(lookup('p/master.m3u8')).toBe('unknown');
  });

  it('compares keys as S3 does, by UTF-8 bytes (not UTF-16 code units)', () => {
    // U+FF5E sorts before U+1F600 in UTF-8 bytes (EF… < F0…) but after it in UTF-16 (FF5E > D83D).
    const lookup = remoteSizeLookup({ sizes: new Map([['p/\u{1F600}.ts', 1]]), complete: false, lastKey: 'p/\u{1F600}.ts' });
    expect(lookup('p/\uFF5E.ts')).toBe('absent');
  });

  it('no listing (s3:ListBucket denied): every key needs a HEAD', () => {
    expect(remoteSizeLookup(undefined)('p/a.ts')).toBe('unknown');
  });
});
