/**
 * A real S3-protocol server (s3rver, a Node implementation of the S3 REST API) on a random loopback
 * port, with its own storage dir, plus a client for the tests' own checks. Each test makes its own bucket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
// s3rver ships no types.
// @ts-expect-error no declaration file
import S3rver from 's3rver';

/** Credentials for the local server only; set in the environment of every CLI run in the tests. */
// The SDK client below runs inside the test worker: keep its Node-20 notice out of the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const S3_TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  // Never let the credential chain ask the EC2 metadata service (it is not on loopback).
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export interface S3TestServer {
  endpoint: string;
  client: S3Client;
  /** Creates a bucket with a unique name and returns it. */
  bucket(label?: string): Promise<string>;
  list(bucket: string, prefix?: string): Promise<{ key: string; size: number }[]>;
  get(bucket: string, key: string): Promise<Buffer>;
  head(bucket: string, key: string): Promise<{ contentType?: string; cacheControl?: string; metadata?: Record<string, string>; lastModified?: Date }>;
  close(): Promise<void>;
}

export async function startS3Server(): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'hlsify-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    client,
    async bucket(label = 'test') {
      const name = `${label}-${randomBytes(6).toString('hex')}`.toLowerCase();
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async list(bucket, prefix) {
      const result = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }));
      return (result.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0 })).sort((a, b) => a.key.localeCompare(b.key));
    },
    async get(bucket, key) {
      const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await result.Body!.transformToByteArray());
    },
    async head(bucket, key) {
      const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { contentType: result.ContentType, cacheControl: result.CacheControl, metadata: result.Metadata, lastModified: result.LastModified };
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
