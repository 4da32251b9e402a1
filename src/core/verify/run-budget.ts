/**
 * What one verify run has left to spend: media playlists, segments and bytes (ResourceLimits). Each
 * limit reached is noted once, naming it, and becomes a failing finding: a ladder verify did not read
 * whole is never reported as holding every MUST.
 */
import type { ResourceLimits } from './resource-reader.js';

export class RunBudget {
  private playlists = 0;
  private segments = 0;
  private bytes = 0;
  /** One line per limit reached, naming it and its value. */
  readonly reached: string[] = [];
  private readonly noted = new Set<string>();

  constructor(private readonly limits: ResourceLimits) {}

  private note(limit: string, text: string): void {
    if (this.noted.has(limit)) return;
    this.noted.add(limit);
    this.reached.push(text);
  }

  /** Takes one media playlist; false (and noted) past maxPlaylists. */
  takePlaylist(): boolean {
    if (this.playlists >= this.limits.maxPlaylists) {
      this.note('maxPlaylists', `more than ${this.limits.maxPlaylists} media playlists: the rest were not read (limit: ${this.limits.maxPlaylists} media playlists per run)`);
      return false;
    }
    this.playlists++;
    return true;
  }

  /** Takes up to `wanted` segments for `where`; how many it may read (the rest noted). */
  takeSegments(wanted: number, where: string): number {
    const granted = Math.max(0, Math.min(wanted, this.limits.maxSegments - this.segments));
    this.segments += granted;
    if (granted < wanted) this.note('maxSegments', `${where}: segments past the first ${this.limits.maxSegments} of the run were not read (limit: ${this.limits.maxSegments} segments per run)`);
    return granted;
  }

  /** Whether another read may start; false (and noted) once maxTotalBytes have been read. */
  mayRead(where: string): boolean {
    if (this.bytes < this.limits.maxTotalBytes) return true;
    this.note('maxTotalBytes', `${where}: not read, ${this.limits.maxTotalBytes} bytes already read (limit: ${this.limits.maxTotalBytes} bytes per run)`);
    return false;
  }

  /** Counts bytes read. */
  spend(bytes: number): void {
    this.bytes += bytes;
  }
}
