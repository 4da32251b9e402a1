import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { createS3Client, normaliseEndpoint } from '../../src/core/upload/s3-client.js';

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

describe('createS3Client', () => {
  it('sends a large PUT body at once, without waiting a round trip for "100 Continue"', async () => {
    // The SDK's default asks first for bodies from 2 MiB; hlsify has already listed the bucket with the
    // same credentials, so a refusal is rare and the wait would cost a round trip per segment.
    const seen: IncomingHttpHeaders[] = [];
    let continues = 0;
    const server = createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.end());
    });
    server.on('checkContinue', (request, response) => {
      continues++;
      response.writeContinue();
      server.emit('request', request, response);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-key');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    const client = createS3Client({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      const body = Buffer.alloc(3 * 1024 * 1024, 1);
      await client.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'a/segment.ts', Body: body, ContentLength: body.length }));
      expect(seen).toHaveLength(1);
      expect(seen[0]!['content-length']).toBe(String(body.length));
      expect(seen[0]!.expect).toBeUndefined();
      expect(continues).toBe(0);
    } finally {
      client.destroy();
      vi.unstubAllEnvs();
      await new Promise((done) => server.close(done));
    }
  });
});
