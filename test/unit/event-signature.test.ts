import { describe, expect, it } from 'vitest';
import { hasValidSignature, newEventKey, signEvent } from '../../src/worker/event-signature.js';
import { stagedLocation } from '../../src/cli/commands/submit.js';
import { parseS3Url } from '../../src/core/upload/s3-location.js';

describe('signed job events', () => {
  const key = newEventKey();
  const body = Buffer.from('{"type":"completed","jobId":"a"}');

  it('accepts the signature made with the key, nothing else', () => {
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(newEventKey()).not.toBe(key);
    expect(hasValidSignature(key, body, signEvent(key, body))).toBe(true);
    expect(hasValidSignature(key, Buffer.from('{"type":"completed","jobId":"b"}'), signEvent(key, body))).toBe(false);
    expect(hasValidSignature(key, body, signEvent(newEventKey(), body))).toBe(false);
    for (const bad of [undefined, '', 'zz', signEvent(key, body).toUpperCase(), Buffer.from(signEvent(key, body)), 42]) expect(hasValidSignature(key, body, bad)).toBe(false);
  });
});

describe('stagedLocation', () => {
  it('keeps a plain name, reduces anything a worker would refuse, never yields a dot segment', () => {
    expect(stagedLocation('s3://media/incoming', 'talk-1', '/videos/talk.mp4')).toEqual({ url: 's3://media/incoming/talk-1/talk.mp4', key: 'incoming/talk-1/talk.mp4', name: 'talk.mp4' });
    expect(stagedLocation('s3://media', 'j', '/v/my clip %2e\\\u0007.mp4').key).toBe('j/my_clip_2e_.mp4');
    expect(stagedLocation('s3://media/in/', 'j', '/v/..').name).toBe('input');
    expect(stagedLocation('s3://media/in', 'j', '/v/.hidden.mov').name).toBe('hidden.mov');
    expect(stagedLocation('s3://media/in', 'j', '/v/видео.mp4').name).toBe('_.mp4');
    expect(stagedLocation('s3://media/in', 'j', `/v/${'a'.repeat(500)}.mp4`).name).toHaveLength(200);
    for (const name of ['a b', '%2e%2e', '..', '...', '\\', 'x\ty', 'ü.mkv']) expect(() => parseS3Url(stagedLocation('s3://media/in', 'j', `/v/${name}`).url)).not.toThrow();
  });
});
