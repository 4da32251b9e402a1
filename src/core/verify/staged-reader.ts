/**
 * Reads a ladder that is being published piece by piece: the files written locally (the playlists, the
 * WebVTT segments) from their directory, every other file (the segments already in the bucket) from the
 * bucket under the ladder's prefix. Keys are confined as the local reader confines them, so nothing outside
 * the directory or the prefix is read.
 */
import { InputError } from '../../errors.js';
import type { ObjectStore } from '../upload/object-store.js';
import { DEFAULT_RETRY, withRetry } from '../upload/retry.js';
import { objectKey, type S3Location } from '../upload/s3-location.js';
import { openLocalLadder } from './local-reader.js';
import { ResourceError, type ResourceReader } from './resource-reader.js';

export async function openStagedLadder(dir: string, store: ObjectStore, location: S3Location, signal: AbortSignal): Promise<ResourceReader> {
  const local = await openLocalLadder(dir);
  return {
    master: local.master,
    root: local.root,
    resolve: (base, uri) => local.resolve(base, uri),
    describe: (key) => local.describe(key),
    async read(key, options) {
      try {
        return await local.read(key, options);
      } catch (error) {
        if (!(error instanceof ResourceError) || error.reason !== 'missing') throw error;
      }
      const request = { maxBytes: options.maxBytes, range: options.range, signal: options.signal ?? signal };
      let bytes: Uint8Array | undefined;
      try {
        ({ value: bytes } = await withRetry(() => store.getBytes(objectKey(location, key), request), { policy: DEFAULT_RETRY, signal: request.signal }));
      } catch (error) {
        // Too large is a finding about the ladder; an unreachable bucket is not, and fails the check itself.
        if (error instanceof InputError) throw new ResourceError(`${key}: ${error.message}`, 'too-large');
        throw error;
      }
      if (bytes === undefined) throw new ResourceError(`${key}: not in the bucket`, 'missing');
      if (options.range && bytes.length < options.range.length) throw new ResourceError(`${key}: byte range ${options.range.length}@${options.range.offset} goes past the end`, 'missing');
      return bytes;
    },
  };
}
