/**
 * The finisher's use of the checks the tasks stored beside their manifests (`*.checks.json`): a segment
 * (or one of its keyframe ranges) counts as checked when the object in the bucket has the size and the
 * recorded SHA-256 of the bytes that were checked (one HEAD per segment, no download); anything else
 * verify reads back and decodes itself. A task of an earlier version stored none: its segments are read.
 */
import pLimit from 'p-limit';
import { parseJsonWith } from '../core/chunks/parse-json.js';
import type { ObjectStore, RemoteObject } from '../core/upload/object-store.js';
import { objectKey, type S3Location } from '../core/upload/s3-location.js';
import type { KnownSegments } from '../core/verify/load-ladder.js';
import { storedChecksSchema, type SegmentCheck } from '../core/verify/stored-check.js';
import { readState, type ChunkState } from './chunk-state.js';

/**
 * Every checks file among the state files `present`, by ladder key. One that does not parse is passed
 * over: its segments are then read back and decoded, so a damaged file costs time, never a wrong check.
 */
export async function readStoredChecks(state: ChunkState, present: ReadonlySet<string>, label: string, signal: AbortSignal): Promise<Map<string, SegmentCheck>> {
  const checks = new Map<string, SegmentCheck>();
  for (const name of [...present].filter((n) => n.endsWith('.checks.json')).sort()) {
    const text = await readState(state, name, signal);
    if (text === undefined) continue;
    let parsed: ReturnType<typeof storedChecksSchema.parse>;
    try {
      parsed = parseJsonWith(storedChecksSchema, text, `${label}/${name}`);
    } catch {
      continue;
    }
    for (const [key, check] of Object.entries(parsed.segments)) checks.set(key, check);
  }
  return checks;
}

/** The stored checks whose objects are still those checked, as verify's known segments. */
export async function storedChecks(checks: ReadonlyMap<string, SegmentCheck>, store: ObjectStore, output: S3Location, concurrency: number, signal: AbortSignal): Promise<KnownSegments> {
  const limit = pLimit(concurrency);
  const heads = new Map<string, RemoteObject | undefined>();
  await Promise.all([...checks.keys()].map((key) => limit(async () => heads.set(key, await store.head(objectKey(output, key), signal)))));
  return async (key, range) => {
    const check = checks.get(key);
    const head = heads.get(key);
    if (!check || !head || head.size !== check.bytes || head.sha256 !== check.sha256) return undefined;
    if (!range) return { bytes: check.bytes, probe: check.probe, avcCodec: check.avcCodec };
    const checked = check.ranges.find((r) => r.offset === range.offset && r.length === range.length);
    return checked ? { bytes: checked.length, probe: checked.probe } : undefined;
  };
}
