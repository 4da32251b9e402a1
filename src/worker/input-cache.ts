/**
 * Inputs from S3 for chunk tasks, downloaded once per worker and shared by the tasks of the same job
 * that this worker takes (a worker typically takes several chunks of one job in a row). A copy is removed
 * once unused for `idleMs`, or when the worker stops. The copy lives in a work dir with a lock naming
 * this process, so the periodic sweep removes it if the worker dies.
 */
import { extname, join } from 'node:path';
import { checkDiskSpace } from '../core/finish/disk-space.js';
import { createWorkspace, type Workspace } from '../core/finish/workspace.js';
import type { ObjectStore } from '../core/upload/object-store.js';
import { parseS3Url } from '../core/upload/s3-location.js';
import { InputError } from '../errors.js';

interface Entry {
  ready: Promise<{ workspace: Workspace; path: string }>;
  users: number;
  timer: NodeJS.Timeout | undefined;
}

export interface CachedInput {
  path: string;
  release(): void;
}

export class InputCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: { tmpRoot: string | undefined; minDiskSpace: number; maxBytes: number; idleMs?: number }) {}

  /**
   * The local copy of `url` (downloaded now if this worker has none); call release() when done with it.
   * With `etag` (the one the job was split from), only that version of the object: a replaced input is
   * refused, and copies of two versions are never mixed up.
   */
  async acquire(url: string, store: ObjectStore, signal: AbortSignal, etag?: string): Promise<CachedInput> {
    const name = etag === undefined ? url : `${url}\n${etag}`;
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { ready: this.download(url, store, signal, etag), users: 0, timer: undefined };
      this.entries.set(name, entry);
      // A failed download is not cached: the next task tries again.
      entry.ready.catch(() => this.entries.delete(name));
    }
    entry.users++;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    try {
      const { path } = await entry.ready;
      let released = false;
      return { path, release: () => !released && ((released = true), this.release(name)) };
    } catch (error) {
      entry.users--;
      throw error;
    }
  }

  private async download(url: string, store: ObjectStore, signal: AbortSignal, etag: string | undefined) {
    const source = parseS3Url(url);
    if (!source.prefix) throw new InputError(`input ${url}: no object key`);
    const workspace = await createWorkspace(this.options.tmpRoot);
    try {
      await checkDiskSpace(workspace.dir, 0, this.options.minDiskSpace);
      const path = join(workspace.dir, `input${extname(source.prefix).slice(0, 8) || '.bin'}`);
      await store.download(source.prefix, path, this.options.maxBytes, signal, etag);
      return { workspace, path };
    } catch (error) {
      await workspace.remove();
      throw error;
    }
  }

  private release(name: string): void {
    const entry = this.entries.get(name);
    if (!entry || --entry.users > 0) return;
    entry.timer = setTimeout(() => {
      if (entry.users > 0) return;
      this.entries.delete(name);
      void entry.ready.then(({ workspace }) => workspace.remove()).catch(() => {});
    }, this.options.idleMs ?? 60_000);
    entry.timer.unref();
  }

  /** Removes every copy (worker shutdown). */
  async clear(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) if (entry.timer) clearTimeout(entry.timer);
    await Promise.allSettled(entries.map((entry) => entry.ready.then(({ workspace }) => workspace.remove())));
  }
}
