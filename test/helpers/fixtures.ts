/**
 * Test media, generated once with ffmpeg's lavfi sources into fixtures/generated/ (not committed).
 * globalSetup generates them all before any test file runs, so parallel test files never race.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'generated');

const video = (size: string, rate: string, seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)];
const sine = (seconds: number, sampleRate = 48000) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${sampleRate}`, '-t', String(seconds)];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20'];

/** SDR grey patch (BT.709 limited, Y 126) on testsrc2, converted to HDR `transfer` and coded as HEVC Main10. */
function hdrRecipe(transfer: 'smpte2084' | 'arib-std-b67'): string[] {
  const toHdr = `zscale=tin=bt709:min=bt709:pin=bt709:rin=limited:t=${transfer}:m=bt2020nc:p=bt2020:r=limited:npl=100`;
  return [
    ...video('320x180', '25', 2),
    '-vf', `drawbox=x=100:y=50:w=120:h=80:color=0x808080:t=fill,format=yuv420p,${toHdr},format=yuv420p10le`,
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `log-level=error:colorprim=bt2020:transfer=${transfer}:colormatrix=bt2020nc:range=limited`,
    '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc', '-color_range', 'tv', '-tag:v', 'hvc1', '-f', 'mp4',
  ];
}

/** Each fixture: the ffmpeg arguments that make it (output path appended), or a function that writes it. */
const RECIPES: Record<string, string[] | ((path: string) => void)> = {
  // 1080p25 with stereo audio: the default ladder (1080/720/480/360).
  'landscape-1080p25.mp4': [...video('1920x1080', '25', 7), ...sine(7), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-shortest'],
  // 720p30 with audio: a 3-rung ladder, quick to encode.
  'landscape-720p30.mp4': [...video('1280x720', '30', 8), ...sine(8), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
  // Stored 640x360 with a 90° display matrix: displayed as 360x640 portrait.
  // (ffmpeg 5.1 keeps the rotate tag only when stream-copying, hence the second pass.)
  'portrait-rotated.mp4': (path) => {
    const plain = `${path}.plain.mp4`;
    ffmpeg([...video('640x360', '30', 5), ...sine(5), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', plain]);
    ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', '-f', 'mp4', path]);
    rmSync(plain);
  },
  // Odd size, NTSC rate, 4:4:4 chroma, no audio.
  'odd-2997-yuv444.mp4': [...video('853x479', '30000/1001', 5), ...x264, '-pix_fmt', 'yuv444p'],
  // 10-bit 60 fps in Matroska, no audio.
  '10bit-60fps.mkv': [...video('640x360', '60', 4), ...x264, '-pix_fmt', 'yuv420p10le'],
  // MJPEG in AVI with mono 44.1 kHz PCM: a tiny source below every default rung.
  'mjpeg-tiny.avi': [...video('320x240', '25', 3), ...sine(3, 44100), '-c:v', 'mjpeg', '-q:v', '5', '-c:a', 'pcm_s16le', '-ac', '1', '-shortest'],
  // No video stream at all.
  'audio-only.mp4': [...sine(3), '-c:a', 'aac'],
  // moov at the front, media data cut in half: probes fine, encodes short.
  'truncated-faststart.mp4': (path) => {
    const whole = `${path}.whole.mp4`;
    ffmpeg([...video('640x360', '25', 6), ...sine(6), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-shortest', whole]);
    const bytes = readFileSync(whole);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    rmSync(whole);
  },
  // moov at the end, file cut: no index at all.
  'truncated-no-moov.mp4': (path) => {
    const whole = `${path}.whole.mp4`;
    ffmpeg([...video('640x360', '25', 4), ...x264, '-pix_fmt', 'yuv420p', whole]);
    const bytes = readFileSync(whole);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    rmSync(whole);
  },
  // An HLS playlist named .mp4 that points at a local "secret" (the CVE-class local file read).
  'crafted-playlist.mp4': (path) => {
    writeFileSync(join(dirname(path), 'secret.txt'), 'TOP SECRET host file\n');
    writeFileSync(path, '#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nsecret.txt\n#EXT-X-ENDLIST\n');
  },
  // An ffconcat script named .mp4 that pulls in a sibling video.
  'crafted-ffconcat.mp4': (path) => {
    writeFileSync(path, 'ffconcat version 1.0\nfile landscape-720p30.mp4\n');
  },
  'text-file.mp4': (path) => writeFileSync(path, 'this is not a video\n'),
  'empty.mp4': (path) => writeFileSync(path, ''),
  // Interlaced with real field motion: 50p testsrc2 woven into 25 frames of two fields each (TFF), coded
  // as interlaced H.264 and flagged tt, as a 576i25 broadcast file.
  'interlaced-576i25.mp4': [...video('720x576', '50', 3), ...sine(3), '-vf', 'interlace=scan=tff:lowpass=0', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-flags', '+ilme+ildct', '-x264-params', 'tff=1', '-field_order', 'tt', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
  // 480i29.97, bottom field first (as NTSC DV), flagged bb; no audio.
  'interlaced-480i2997.mp4': [...video('720x480', '60000/1001', 3), '-vf', 'interlace=scan=bff:lowpass=0', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '18', '-flags', '+ilme+ildct', '-x264-params', 'bff=1', '-field_order', 'bb', '-pix_fmt', 'yuv420p'],
  // HDR10 and HLG: an SDR BT.709 grey patch (Y 126) converted by zscale to PQ (100 nits = SDR white) or
  // HLG code values, HEVC Main10 with bt2020 / smpte2084 or arib-std-b67 tags.
  'hdr10-pq.mp4': hdrRecipe('smpte2084'),
  'hlg.mp4': hdrRecipe('arib-std-b67'),
  // A stream-copied cut of a B-frame H.264 file: starts 0.5 s after a keyframe, so the mp4 has an edit
  // list hiding 0.5 s of pre-roll video (and AAC priming).
  'edit-list-cut.mp4': (path) => {
    const whole = `${path}.whole.mp4`;
    ffmpeg([...video('320x240', '30', 16), ...sine(16), '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '3', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', whole]);
    ffmpeg(['-ss', '2.5', '-i', whole, '-c', 'copy', '-t', '12', '-f', 'mp4', path]);
    rmSync(whole);
  },
  // 30 s of variable frame rate as a phone records it: nominal 30 fps, irregular drops, 15 fps for 5 s.
  'vfr-30s.mp4': [...video('320x180', '30', 30), ...sine(30), '-vf', "select='if(between(t,10,15),not(mod(n,2)),not(eq(mod(n,7),3)))'", '-fps_mode', 'vfr', ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'],
  // Full-range MJPEG (yuvj420p, as webcams and cameras write): a dark (Y 20) and a bright (Y 235) patch
  // over moving testsrc2.
  'mjpeg-full-range.avi': [
    '-f', 'lavfi', '-i', 'color=c=0x141414:size=160x120:rate=25', '-f', 'lavfi', '-i', 'color=c=0xEBEBEB:size=160x120:rate=25', ...video('320x120', '25', 3),
    '-filter_complex', '[0][1]hstack[top];[top][2]vstack,scale=out_range=pc,format=yuvj420p', '-t', '3', '-c:v', 'mjpeg', '-q:v', '2',
  ],
  // Subtitles (9 s) and audio (7 s) longer than the video (4 s), in Matroska (durations only as tags).
  'long-audio-subtitles.mkv': (path) => {
    const srt = `${path}.srt`;
    writeFileSync(srt, '1\n00:00:00,000 --> 00:00:09,000\nlonger than the picture\n');
    ffmpeg(['-f', 'lavfi', '-t', '4', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-t', '7', '-i', 'sine=frequency=440:sample_rate=48000', '-i', srt, '-map', '0', '-map', '1', '-map', '2', ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'srt', '-f', 'matroska', path]);
    rmSync(srt);
  },
};

export type FixtureName = keyof typeof RECIPES;

function ffmpeg(args: string[]): void {
  execFileSync(process.env.HLSIFY_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Generates every fixture that is missing (atomically: a half-written fixture is never reused). */
export function generateFixtures(): void {
  mkdirSync(FIXTURES_DIR, { recursive: true });
  for (const [name, recipe] of Object.entries(RECIPES)) {
    const path = join(FIXTURES_DIR, name);
    if (existsSync(path)) continue;
    const partial = join(FIXTURES_DIR, `partial-${name}`);
    if (typeof recipe === 'function') recipe(partial);
    else ffmpeg([...recipe, partial]);
    renameSync(partial, path);
  }
}

/** Absolute path of a generated fixture. */
export function fixture(name: string): string {
  const path = join(FIXTURES_DIR, name);
  if (!existsSync(path) || !(name in RECIPES)) throw new Error(`unknown or missing fixture ${name}`);
  statSync(path);
  return path;
}
