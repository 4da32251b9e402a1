/**
 * The finisher's use of the checks the chunk tasks stored in their manifests: a segment (or one of its
 * keyframe ranges) counts as checked when the object in the bucket has the size and the recorded SHA-256
 * of the bytes that were checked (one HEAD per segment, no download); anything else verify reads back.
 */
import pLimit from 'p-limit';
import type { ChunkManifest } from '../core/chunks/chunk-manifest.js';
import type { MediaManifest } from '../core/chunks/media-manifest.js';
import { parseMediaPlaylist } from '../core/playlist/media-playlist.js';
import type { ObjectStore, RemoteObject } from '../core/upload/object-store.js';
import { objectKey, type S3Location } from '../core/upload/s3-location.js';
import type { KnownSegments } from '../core/verify/load-ladder.js';
import type { SegmentCheck } from '../core/verify/stored-check.js';

/** The stored checks of `manifests` whose objects are still those checked, as verify's known segments. */
export async function storedChecks(manifests: readonly ChunkManifest[], media: MediaManifest | undefined, store: ObjectStore, output: S3Location, concurrency: number, signal: AbortSignal): Promise<KnownSegments> {
  const checked = new Map<string, { check: SegmentCheck; avcCodec: string | undefined }>();
  for (const r of manifests.flatMap((m) => m.renditions)) {
    r.segments.forEach((s, i) => s.check && checked.set(`${r.name}/${s.uri}`, { check: s.check, avcCodec: i === 0 ? r.codec : undefined }));
  }
  for (const a of media?.audio ?? []) {
    parseMediaPlaylist(a.playlist).segments.forEach((s, i) => a.checks?.[i] && checked.set(`${a.name}/${s.uri}`, { check: a.checks[i], avcCodec: undefined }));
  }
  const limit = pLimit(concurrency);
  const heads = new Map<string, RemoteObject | undefined>();
  await Promise.all([...checked.keys()].map((key) => limit(async () => heads.set(key, await store.head(objectKey(output, key), signal)))));
  return async (key, range) => {
    const entry = checked.get(key);
    const head = heads.get(key);
    if (!entry || !head || head.size !== entry.check.bytes || head.sha256 !== entry.check.sha256) return undefined;
    if (!range) return { bytes: entry.check.bytes, probe: entry.check.probe, avcCodec: entry.avcCodec };
    const checkedRange = entry.check.ranges.find((r) => r.offset === range.offset && r.length === range.length);
    return checkedRange ? { bytes: checkedRange.length, probe: checkedRange.probe } : undefined;
  };
}
