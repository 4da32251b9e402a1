/**
 * Segments already probed and decoded, by the SHA-256 of the exact bytes that were (the init segment or
 * map first, then the segment): a check made while the encoder was still writing other segments counts
 * only for bytes identical to the ones verify reads afterwards.
 */
import { createHash } from 'node:crypto';
import type { SegmentProbe } from './segment-probe.js';

export class ProbeCache {
  private readonly probes = new Map<string, Promise<SegmentProbe>>();

  private static key(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** The probe of these bytes, decoded, when one was made or is being made. */
  get(bytes: Uint8Array): Promise<SegmentProbe> | undefined {
    return this.probes.size === 0 ? undefined : this.probes.get(ProbeCache.key(bytes));
  }

  /** Records the probe of `bytes`; only probes that decoded every frame belong here. */
  set(bytes: Uint8Array, probe: Promise<SegmentProbe>): void {
    // A failed (cancelled) probe is no answer: the bytes are probed again when asked for.
    const key = ProbeCache.key(bytes);
    probe.catch(() => this.probes.delete(key));
    this.probes.set(key, probe);
  }

  get size(): number {
    return this.probes.size;
  }
}
