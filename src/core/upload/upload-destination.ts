/** Everything `upload` and `transcode --upload` share to reach a bucket: parsed location, client and store. */
import { createS3Client, type S3ClientOptions } from './s3-client.js';
import { createS3Store, type ObjectStore, type S3StoreOptions } from './object-store.js';
import { parseS3Url, type S3Location } from './s3-location.js';

export interface UploadDestination {
  location: S3Location;
  store: ObjectStore;
  /** Closes the client's sockets; idempotent. */
  close(): void;
}

export function openUploadDestination(url: string, client: S3ClientOptions, store: S3StoreOptions = {}, env?: NodeJS.ProcessEnv): UploadDestination {
  const location = parseS3Url(url);
  const s3 = createS3Client(client, env);
  let closed = false;
  return {
    location,
    store: createS3Store(s3, location.bucket, store),
    close() {
      if (closed) return;
      closed = true;
      s3.destroy();
    },
  };
}
