/** The narrow interface the pipeline needs from a bucket (upload, resume checks, input download), over S3. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Upload } from '@aws-sdk/lib-storage';
import { InputError } from '../../errors.js';
import { formatBytes } from '../finish/disk-space.js';
import { classifyS3Error } from './s3-errors.js';
import { formatS3Url } from './s3-location.js';
import type { PlannedObject } from './upload-plan.js';

/** Object metadata key holding the SHA-256 of the content (a multipart ETag is not an MD5). */
export const SHA256_METADATA = 'hlsify-sha256';
/** SigV4's header for the hex SHA-256 of the request body. */
const PAYLOAD_SHA256_HEADER = 'x-amz-content-sha256';

export interface RemoteObject {
  size: number;
  sha256: string | undefined;
}

/** What one listing of a prefix found: sizes by key, in S3's key order (UTF-8 bytes). */
export interface RemoteListing {
  sizes: Map<string, number>;
  /** False when the listing stopped early (`maxKeys`): keys after `lastKey` are not known. */
  complete: boolean;
  lastKey: string | undefined;
}

export interface ObjectStore {
  /** Files at least this large go up as multipart uploads (streamed, not read whole). */
  readonly multipartThreshold: number;
  /** The object's size and recorded hash, or undefined when there is none. */
  head(key: string, signal: AbortSignal): Promise<RemoteObject | undefined>;
  /** Sizes of the objects whose keys start with `prefix`, at most about `maxKeys` of them. */
  list(prefix: string, maxKeys: number, signal: AbortSignal): Promise<RemoteListing>;
  /**
   * Uploads one file; `onBytes` hears bytes sent as they go. `body`, when given, is the file's content
   * already read (small files): it is sent as is, with `sha256` as the signed payload hash. Throws hlsify errors.
   */
  put(object: PlannedObject, sha256: string, signal: AbortSignal, onBytes: (bytes: number) => void, body?: Buffer): Promise<void>;
  /** A small object's text (a playlist), or undefined when there is none. */
  getText(key: string, signal: AbortSignal): Promise<string | undefined>;
  /**
   * An object's bytes, or `range` of them, or undefined when there is none; refuses (InputError) more than
   * `maxBytes`. For reading back what was uploaded (segments a check looks into), not for inputs.
   */
  getBytes(key: string, options: { maxBytes: number; range?: { offset: number; length: number } | undefined; signal: AbortSignal }): Promise<Uint8Array | undefined>;
  /**
   * Streams the object to `path`; refuses (InputError) objects above `maxBytes`. Returns the bytes written
   * and the object's ETag. With
   * `etag`, an object whose ETag is not that one (replaced since) is refused before a byte is written.
   */
  download(key: string, path: string, maxBytes: number, signal: AbortSignal, etag?: string): Promise<{ bytes: number; etag: string | undefined }>;
  /** Deletes an object (no error when there is none). */
  delete(key: string, signal: AbortSignal): Promise<void>;
}

export interface S3StoreOptions {
  /** Files at least this large go up as multipart uploads. */
  multipartThreshold?: number | undefined;
  partSize?: number | undefined;
}

export const DEFAULT_MULTIPART_THRESHOLD = 16 * 1024 * 1024;

export function createS3Store(client: S3Client, bucket: string, options: S3StoreOptions = {}): ObjectStore {
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  const partSize = Math.max(5 * 1024 * 1024, options.partSize ?? 8 * 1024 * 1024);
  const url = (key: string) => formatS3Url({ bucket, prefix: '' }, key);
  /** The object's GET response (`range`: an HTTP Range value), undefined when there is none; other failures classified. */
  const getObject = async (key: string, signal: AbortSignal, range?: string) => {
    try {
      return await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }), { abortSignal: signal });
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw classifyS3Error(error, `GET ${url(key)}`, signal);
    }
  };
  const abortMultipart = async (upload: Upload, key: string) => {
    // `uploadId` is lib-storage's own record of the multipart upload it created (not in its typings).
    const uploadId = (upload as unknown as { uploadId?: string }).uploadId;
    if (!uploadId) return;
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal: AbortSignal.timeout(10_000) })
      .catch(() => {
        // Best effort: the part's error is the one to report; a bucket lifecycle rule cleans up the rest.
      });
  };

  return {
    multipartThreshold: threshold,

    async head(key, signal) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        return { size: result.ContentLength ?? 0, sha256: result.Metadata?.[SHA256_METADATA] };
      } catch (error) {
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 && (error as Error).name !== 'NoSuchBucket') return undefined;
        throw classifyS3Error(error, `HEAD ${url(key)}`, signal);
      }
    },

    async list(prefix, maxKeys, signal) {
      const sizes = new Map<string, number>();
      let token: string | undefined;
      let lastKey: string | undefined;
      do {
        let page;
        try {
          page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: Math.min(1000, Math.max(1, maxKeys)) }), { abortSignal: signal });
        } catch (error) {
          throw classifyS3Error(error, `LIST ${url(prefix)}`, signal);
        }
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined) continue;
          sizes.set(object.Key, object.Size ?? 0);
          lastKey = object.Key;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token && sizes.size < maxKeys);
      return { sizes, complete: token === undefined, lastKey };
    },

    async delete(key, signal) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      } catch (error) {
        if ((error as Error).name === 'NoSuchKey') return;
        throw classifyS3Error(error, `DELETE ${url(key)}`, signal);
      }
    },

    async getText(key, signal) {
      const result = await getObject(key, signal);
      try {
        return await result?.Body!.transformToString('utf8');
      } catch (error) {
        throw classifyS3Error(error, `GET ${url(key)}`, signal);
      }
    },

    async getBytes(key, { maxBytes, range, signal }) {
      if (range && range.length > maxBytes) throw new InputError(`${url(key)}: ${range.length} bytes asked, above the ${maxBytes}-byte limit`);
      const httpRange = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined;
      const result = await getObject(key, signal, httpRange);
      if (!result) return undefined;
      const body = result.Body as Readable;
      if ((result.ContentLength ?? 0) > maxBytes) {
        body.destroy();
        throw new InputError(`${url(key)}: ${result.ContentLength} bytes, above the ${maxBytes}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let received = 0;
      try {
        // Counted while read too: a server may send more than it announced.
        for await (const chunk of body as AsyncIterable<Buffer>) {
          received += chunk.length;
          if (received > maxBytes) {
            body.destroy();
            throw new InputError(`${url(key)}: more than the ${maxBytes}-byte limit`);
          }
          chunks.push(chunk);
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw classifyS3Error(error, `GET ${url(key)}`, signal);
      }
      return Buffer.concat(chunks);
    },

    async download(key, path, maxBytes, signal, etag) {
      const result = await getObject(key, signal);
      if (!result) throw new InputError(`input ${url(key)}: no such object`);
      if (etag !== undefined && result.ETag !== etag) {
        (result.Body as Readable | undefined)?.destroy();
        throw new InputError(`input ${url(key)} was replaced after the job was split (ETag ${result.ETag ?? 'none'}, the job's plan has ${etag}): submit the job again`);
      }
      const size = result.ContentLength ?? 0;
      if (size > maxBytes) {
        (result.Body as Readable | undefined)?.destroy();
        throw new InputError(`input ${url(key)}: ${formatBytes(size)} is above the ${formatBytes(maxBytes)} limit (MAX_VIDEO_SIZE)`);
      }
      let received = 0;
      const body = result.Body as Readable;
      // Count while streaming too: a server may send more than it announced.
      const guard = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          done(received > maxBytes ? new InputError(`input ${url(key)}: larger than the MAX_VIDEO_SIZE limit`) : null, chunk);
        },
      });
      try {
        await pipeline(body, guard, createWriteStream(path), { signal });
      } catch (error) {
        if (error instanceof InputError) throw error;
        throw classifyS3Error(error, `GET ${url(key)}`, signal);
      }
      return { bytes: received, etag: result.ETag };
    },

    async put(object, sha256, signal, onBytes, content) {
      const params = {
        Bucket: bucket,
        Key: object.key,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
        Metadata: { [SHA256_METADATA]: sha256 },
      };
      try {
        if (object.size < threshold) {
          const body = content ?? (await readFile(object.absolutePath));
          const command = new PutObjectCommand({ ...params, Body: body, ContentLength: body.length });
          // The content's SHA-256, computed once by the caller, is the signed payload hash: the SDK would
          // otherwise hash the body a second time to sign it, and S3 checks it against what arrives
          // (XAmzContentSHA256Mismatch), which makes a Content-MD5 redundant.
          if (content) {
            command.middlewareStack.add(
              (next) => async (args) => {
                const request = args.request as { headers?: Record<string, string> };
                if (request.headers) request.headers[PAYLOAD_SHA256_HEADER] = sha256;
                return next(args);
              },
              { step: 'build', name: 'hlsifyPayloadSha256' },
            );
          } else {
            command.input.ContentMD5 = createHash('md5').update(body).digest('base64');
          }
          await client.send(command, { abortSignal: signal });
          onBytes(body.length);
          return;
        }
        // Multipart. hlsify aborts a failed upload itself, so no hidden partial object stays behind:
        // lib-storage's own abort (leavePartsOnError: false) throws the abort's error in place of the
        // part's when the abort fails too, turning a retryable 503 into a permanent-looking 405.
        // Loaded on use: most ladders have no file this large.
        const { Upload } = await import('@aws-sdk/lib-storage');
        const upload = new Upload({ client, params: { ...params, Body: createReadStream(object.absolutePath) }, partSize, queueSize: 4, leavePartsOnError: true });
        let reported = 0;
        upload.on('httpUploadProgress', (progress) => {
          const loaded = progress.loaded ?? 0;
          if (loaded > reported) {
            onBytes(loaded - reported);
            reported = loaded;
          }
        });
        const onAbort = () => void upload.abort().catch(() => {});
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          await upload.done();
        } catch (error) {
          await abortMultipart(upload, object.key);
          throw error;
        } finally {
          signal.removeEventListener('abort', onAbort);
        }
        if (reported < object.size) onBytes(object.size - reported);
      } catch (error) {
        throw classifyS3Error(error, `PUT ${url(object.key)}`, signal);
      }
    },
  };
}
