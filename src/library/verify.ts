/**
 * The library's `verifyLadder`: `hlsify verify` for programs, with ffprobe found and checked as the CLI
 * does. Reads a ladder directory, a master playlist path or an http(s) URL; never prints.
 */
import { readEnv } from '../config.js';
import { findBinaries } from '../core/tools/binaries.js';
import type { VerifyReport } from '../core/verify/report.js';
import { verifyLadder as verifyCore, type VerifyOptions } from '../core/verify/verify-ladder.js';

export interface VerifyLadderOptions extends Omit<VerifyOptions, 'ffprobe' | 'ffmpeg' | 'cache' | 'known'> {
  /** ffprobe binary (default: HLSIFY_FFPROBE, else PATH). */
  ffprobe?: string | undefined;
  /** ffmpeg binary, which decodes the segments (default: HLSIFY_FFMPEG, else PATH). */
  ffmpeg?: string | undefined;
}

/** Checks the ladder at `location` against RFC 8216 and Apple's HLS Authoring Specification. */
export async function verifyLadder(location: string, options: VerifyLadderOptions = {}): Promise<VerifyReport> {
  const { ffmpeg, ffprobe, ...rest } = options;
  const binaries = await findBinaries({ ffmpeg, ffprobe }, readEnv(process.env), options.signal);
  return verifyCore(location, { ...rest, ffprobe: binaries.ffprobe, ffmpeg: binaries.ffmpeg });
}
