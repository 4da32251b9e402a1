import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatS3Url, objectKey, parseS3Url } from '../../src/core/upload/s3-location.js';

describe('parseS3Url', () => {
  it('splits s3://bucket/prefix into bucket and a prefix without surrounding slashes', () => {
    expect(parseS3Url('s3://my-videos/2024/launch/')).toEqual({ bucket: 'my-videos', prefix: '2024/launch' });
    expect(parseS3Url('s3://my-videos/2024/launch')).toEqual({ bucket: 'my-videos', prefix: '2024/launch' });
  });

  it('reads a bare bucket (with or without trailing slash) as the bucket root', () => {
    expect(parseS3Url('s3://my-videos')).toEqual({ bucket: 'my-videos', prefix: '' });
    expect(parseS3Url('s3://my-videos/')).toEqual({ bucket: 'my-videos', prefix: '' });
  });

  it('ignores whitespace around the URL (as pasted into a shell or env var)', () => {
    expect(parseS3Url('  s3://my.videos/out \n')).toEqual({ bucket: 'my.videos', prefix: 'out' });
  });

  it.each([
    ['my-videos/out', 'no s3:// scheme'],
    ['https://my-videos.s3.amazonaws.com/out', 'an https URL'],
    ['s3://', 'no bucket'],
    ['s3:///out', 'an empty bucket'],
  ])('rejects %s (%s) as a UsageError naming the expected form', (url) => {
    expect(() => parseS3Url(url)).toThrow(UsageError);
    expect(() => parseS3Url(url)).toThrow(/expected s3:\/\/bucket\/prefix/);
  });

  it.each([
    ['s3://My-Videos/out', 'uppercase'],
    ['s3://my_videos/out', 'underscore'],
    ['s3://ab/out', 'shorter than 3 characters'],
    [`s3://${'a'.repeat(64)}/out`, 'longer than 63 characters'],
    ['s3://-videos/out', 'starting with a hyphen'],
    ['s3://videos-/out', 'ending with a hyphen'],
  ])('rejects an invalid bucket name (%s: %s)', (url) => {
    expect(() => parseS3Url(url)).toThrow(UsageError);
    expect(() => parseS3Url(url)).toThrow(/not a valid bucket name/);
  });

  it('accepts bucket names at the 3 and 63 character limits', () => {
    expect(parseS3Url('s3://abc').bucket).toBe('abc');
    expect(parseS3Url(`s3://${'a'.repeat(63)}/x`).bucket).toBe('a'.repeat(63));
  });

  it.each(['s3://my-videos/../other', 's3://my-videos/a/../../b', 's3://my-videos/./out', 's3://my-videos/out/..'])(
    'rejects a prefix with . or .. segments (%s), which would escape or alias the prefix',
    (url) => {
      expect(() => parseS3Url(url)).toThrow(UsageError);
      expect(() => parseS3Url(url)).toThrow(/may not contain \. or \.\./);
    },
  );

  it.each([
    ['s3://my-videos/a//b', /empty segments/],
    ['s3://my-videos/a/b//', /empty segments/],
    ['s3://my-videos///', /may not start with \//],
    ['s3://my-videos//2024/launch', /may not start with \//],
    ['s3://my-videos/%2e%2e/other', /percent-escapes/],
    ['s3://my-videos/a/%2F/b', /percent-escapes/],
    ['s3://my-videos/..\\other', /backslashes/],
    ['s3://my-videos/a\\b', /backslashes/],
    ['s3://my-videos/a\tb', /control characters/],
  ])('rejects the odd prefix %s at once, instead of storing it as a literal key', (url, message) => {
    expect(() => parseS3Url(url)).toThrow(UsageError);
    expect(() => parseS3Url(url)).toThrow(message);
    expect(() => parseS3Url(url)).toThrow(/^"s3:\/\/my-videos\/.*": the prefix /);
  });

  it('allows dots inside prefix segment names', () => {
    expect(parseS3Url('s3://my-videos/v1.2/..hidden./x').prefix).toBe('v1.2/..hidden./x');
  });
});

describe('objectKey', () => {
  it('puts the file under the prefix with one slash', () => {
    expect(objectKey({ bucket: 'b', prefix: '2024/launch' }, '720p/segment_00000.ts')).toBe('2024/launch/720p/segment_00000.ts');
  });

  it('uses the relative path as is at the bucket root (no leading slash)', () => {
    expect(objectKey({ bucket: 'b', prefix: '' }, 'master.m3u8')).toBe('master.m3u8');
  });
});

describe('formatS3Url', () => {
  it('shows the location, or one object in it', () => {
    const location = { bucket: 'my-videos', prefix: '2024/launch' };
    expect(formatS3Url(location)).toBe('s3://my-videos/2024/launch');
    expect(formatS3Url(location, '2024/launch/master.m3u8')).toBe('s3://my-videos/2024/launch/master.m3u8');
  });

  it('round-trips through parseS3Url', () => {
    for (const url of ['s3://my-videos/2024/launch', 's3://my-videos']) {
      const location = parseS3Url(url);
      expect(parseS3Url(formatS3Url(location))).toEqual(location);
    }
  });
});
