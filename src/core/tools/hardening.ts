/**
 * Flags every ffprobe and ffmpeg call puts before its input (see the README's safety notes):
 * uploaded media is attacker-controlled, and a file named .mp4 that is really an HLS playlist or an
 * ffconcat script would otherwise make ffmpeg read other local files.
 */

/** Demuxers hlsify accepts. `mov` covers mp4/m4v/3gp, `matroska` covers webm. */
export const INPUT_FORMAT_WHITELIST = 'mov,matroska,avi,mpegts,flv,ogg,asf,mpeg';

/** Largest decoded frame accepted (8K UHD); bigger frames are decompression bombs, not videos. */
export const MAX_PIXELS = 7680 * 4320;

/** Demuxer options shared by ffprobe and ffmpeg (only local files, only the whitelisted containers). */
export function inputHardeningArgs(formats: string = INPUT_FORMAT_WHITELIST): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', formats, '-max_streams', '16'];
}

/**
 * The input as ffmpeg must see it: an absolute path behind `file:`, so that names such as `concat:…`,
 * `http:…` or `-y` are never interpreted as protocols or options.
 */
export function inputUrl(absolutePath: string): string {
  if (!absolutePath.startsWith('/')) throw new Error(`inputUrl needs an absolute path, got ${absolutePath}`);
  return `file:${absolutePath}`;
}
