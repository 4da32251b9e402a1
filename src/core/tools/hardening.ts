/**
 * Flags every ffprobe and ffmpeg call puts before its input (see the README's safety notes):
 * uploaded media is attacker-controlled, and a file named .mp4 that is really an HLS playlist or an
 * ffconcat script would otherwise make ffmpeg read other local files.
 */

/** Demuxers hlsify accepts. `mov` covers mp4/m4v/3gp, `matroska` covers webm. */
export const INPUT_FORMAT_WHITELIST = 'mov,matroska,avi,mpegts,flv,ogg,asf,mpeg';

/** Largest decoded frame accepted (8K UHD); bigger frames are decompression bombs, not videos. */
export const MAX_FRAME = { width: 7680, height: 4320 } as const;
export const MAX_PIXELS = MAX_FRAME.width * MAX_FRAME.height;

/** Most streams (video, audio, subtitle, data) an input may have; more is a crafted file, not a video. */
export const MAX_STREAMS = 16;

/** Demuxer options shared by ffprobe and ffmpeg (only local files, only the whitelisted containers). */
export function inputHardeningArgs(formats: string = INPUT_FORMAT_WHITELIST): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', formats, '-max_streams', String(MAX_STREAMS)];
}

/** The frame size limit in words: "7680×4320 (33.2 megapixels)". */
export function maxPixelsText(): string {
  return `${MAX_FRAME.width}×${MAX_FRAME.height} (${(MAX_PIXELS / 1e6).toFixed(1)} megapixels)`;
}

/**
 * What a hardening limit that ffmpeg or ffprobe hit means, from its stderr; undefined when none was hit.
 * ffmpeg reports a demuxer over -max_streams as "Cannot allocate memory" (ENOMEM), so the line that names
 * the limit is the one to read, not the last.
 */
export function describeLimitHit(stderr: string): string | undefined {
  const streams = /Number of streams exceeds max_streams parameter \((\d+)\)/.exec(stderr);
  if (streams) return `the input has more than ${streams[1]} streams (hlsify's limit; audio, subtitle and data tracks count)`;
  const pixels = /Picture size (\d+)x(\d+) exceeds specified max pixel count/.exec(stderr);
  if (pixels) return `its video frames are ${pixels[1]}×${pixels[2]}, larger than hlsify's limit of ${maxPixelsText()}`;
  return undefined;
}

/**
 * The input as ffmpeg must see it: an absolute path behind `file:`, so that names such as `concat:…`,
 * `http:…` or `-y` are never interpreted as protocols or options.
 */
export function inputUrl(absolutePath: string): string {
  if (!absolutePath.startsWith('/')) throw new Error(`inputUrl needs an absolute path, got ${absolutePath}`);
  return `file:${absolutePath}`;
}
