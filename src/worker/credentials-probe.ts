/** A cheap request that tells whether the worker's S3 credentials work for a bucket: LIST with one key. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, type S3ClientOptions } from '../core/upload/s3-client.js';
import { classifyS3Error } from '../core/upload/s3-errors.js';

export function createCredentialsProbe(options: S3ClientOptions, env: NodeJS.ProcessEnv) {
  return async (bucket: string, signal: AbortSignal): Promise<void> => {
    // A fresh client each time: credentials fixed in the environment or a profile file are read again.
    const client = createS3Client({ ...options, maxSockets: 1 }, env);
    try {
      await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), { abortSignal: signal });
    } catch (error) {
      throw classifyS3Error(error, `LIST s3://${bucket}`, signal);
    } finally {
      client.destroy();
    }
  };
}
