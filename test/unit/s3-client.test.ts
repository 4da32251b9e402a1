import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { normaliseEndpoint } from '../../src/core/upload/s3-client.js';

describe('normaliseEndpoint', () => {
  it('drops user:password so the endpoint can be logged', () => {
    const endpoint = normaliseEndpoint('http://minioadmin:s3cr3t-pw@127.0.0.1:9000');
    expect(endpoint).toBe('http://127.0.0.1:9000');
    expect(endpoint).not.toContain('s3cr3t-pw');
    expect(endpoint).not.toContain('minioadmin');
  });

  it('drops a user name given without a password', () => {
    expect(normaliseEndpoint('https://admin@s3.example.com')).toBe('https://s3.example.com');
  });

  it('keeps http and https endpoints with their port and path, without a trailing slash', () => {
    expect(normaliseEndpoint('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000');
    expect(normaliseEndpoint('https://s3.example.com')).toBe('https://s3.example.com');
    expect(normaliseEndpoint('https://gateway.example.com/s3/')).toBe('https://gateway.example.com/s3');
  });

  it.each(['ftp://files.example.com', 'file:///tmp/bucket', 's3://my-videos', 'localhost:9000'])(
    'rejects %s as a UsageError: only http:// and https:// endpoints work',
    (endpoint) => {
      expect(() => normaliseEndpoint(endpoint)).toThrow(UsageError);
      expect(() => normaliseEndpoint(endpoint)).toThrow(/--endpoint must be an http:\/\/ or https:\/\/ URL/);
    },
  );

  it.each(['not a url', '127.0.0.1:9000', ''])('rejects %j as not a URL, with an example', (endpoint) => {
    expect(() => normaliseEndpoint(endpoint)).toThrow(UsageError);
    expect(() => normaliseEndpoint(endpoint)).toThrow(/is not a URL \(expected e\.g\. http:\/\/127\.0\.0\.1:9000\)/);
  });

  it('does not echo the credentials of an endpoint it rejects', () => {
    expect(() => normaliseEndpoint('ftp://user:s3cr3t-pw@files.example.com')).toThrow(UsageError);
    try {
      normaliseEndpoint('ftp://user:s3cr3t-pw@files.example.com');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t-pw');
    }
  });
});

describe('normaliseEndpoint on an unparsable URL with credentials in it', () => {
  it('does not repeat the password in its error', () => {
    let message = '';
    try {
      normaliseEndpoint('http://admin:s3cr3t@127.0.0.1:99999');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/is not a URL/);
    expect(message).not.toContain('s3cr3t');
  });
});
