/**
 * A ladder-shaped directory of random bytes for upload measurements: renditions of TS segments
 * (sizes drawn around each rendition's bit rate x segment length) with consistent playlists. Nothing
 * decodes it; it has the file count and size mix of a real ladder without minutes of encoding.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SyntheticLadderOptions {
  /** Segments per rendition. */
  segments: number;
  segmentSeconds: number;
  /** Video bit rates per rendition, b/s (name → rate). */
  renditions: Record<string, number>;
}

export const DEFAULT_SYNTHETIC: SyntheticLadderOptions = {
  segments: 30,
  segmentSeconds: 6,
  renditions: { '1080p': 5_000_000, '720p': 2_800_000, '480p': 1_400_000, '360p': 800_000 },
};

/** Writes the ladder into `dir`; returns its total size in bytes. */
export async function writeSyntheticLadder(dir: string, options: SyntheticLadderOptions = DEFAULT_SYNTHETIC): Promise<number> {
  let total = 0;
  const master = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const [name, bitrate] of Object.entries(options.renditions)) {
    await mkdir(join(dir, name), { recursive: true });
    const media = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${options.segmentSeconds}`, '#EXT-X-PLAYLIST-TYPE:VOD'];
    for (let i = 0; i < options.segments; i++) {
      // ±25% around the nominal size, like a real VBR encode.
      const bytes = Math.round(((bitrate * options.segmentSeconds) / 8) * (0.75 + Math.random() * 0.5));
      const file = `segment_${String(i).padStart(5, '0')}.ts`;
      await writeFile(join(dir, name, file), randomBytes(bytes));
      total += bytes;
      media.push(`#EXTINF:${options.segmentSeconds.toFixed(6)},`, file);
    }
    media.push('#EXT-X-ENDLIST');
    await writeFile(join(dir, name, 'index.m3u8'), `${media.join('\n')}\n`);
    master.push(`#EXT-X-STREAM-INF:BANDWIDTH=${bitrate}`, `${name}/index.m3u8`);
  }
  await writeFile(join(dir, 'master.m3u8'), `${master.join('\n')}\n`);
  return total;
}
