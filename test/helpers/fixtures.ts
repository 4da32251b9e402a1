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
  // Two audio languages with different tones (English 440 Hz, French 880 Hz); the French one tagged default.
  'two-languages.mp4': [
    ...video('640x360', '25', 6), ...tone(440, 6), ...tone(880, 6), '-map', '0:v', '-map', '1:a', '-map', '2:a',
    ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra', '-disposition:a:0', '0', '-disposition:a:1', 'default',
  ],
  // One 5.1 track (6 channels, 48 kHz).
  'surround-5.1.mp4': [...video('640x360', '25', 5), ...tone(440, 5), ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '6', '-metadata:s:a:0', 'language=eng'],
  // Matroska with English audio, English SubRip (default) and French ASS (forced) subtitles.
  'subtitles.mkv': (path) => withSubtitleFiles(path, 6, (srt, ass) => [
    ...video('640x360', '25', 6), ...tone(440, 6), '-i', srt, '-i', ass, '-map', '0:v', '-map', '1:a', '-map', '2', '-map', '3',
    ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s:0', 'srt', '-c:s:1', 'ass',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=fra',
    '-disposition:s:0', 'default', '-disposition:s:1', 'forced', '-t', '6', path,
  ]),
  // 4 s of video whose SubRip track runs to 9 s.
  'subtitles-longer.mkv': (path) => withSubtitleFiles(path, 9, (srt) => [
    ...video('640x360', '25', 4), ...tone(440, 4), '-i', srt, '-map', '0:v', '-map', '1:a', '-map', '2',
    // The output -t cuts video and audio; the last cue starts before it and keeps its end at 9 s.
    ...x264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-c:s', 'srt', '-metadata:s:s:0', 'language=eng', '-t', '4', path,
  ]),
  // Audio only, stereo AAC in an .m4a.
  'audio-only.m4a': [...tone(660, 4), '-c:a', 'aac', '-ac', '2'],
};

/** A mono sine of `frequency` Hz for `seconds`. */
function tone(frequency: number, seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=48000`, '-t', String(seconds)];
}

/**
 * Writes a SubRip file whose last cue ends at `lastEnd` s and a two-cue ASS file beside `path`, runs the
 * ffmpeg arguments `args(srt, ass)` gives, then removes them.
 */
function withSubtitleFiles(path: string, lastEnd: number, args: (srt: string, ass: string) => string[]): void {
  const srt = `${path}.srt`;
  const ass = `${path}.ass`;
  const end = `00:00:${String(lastEnd).padStart(2, '0')},000`;
  writeFileSync(srt, `1\n00:00:00,500 --> 00:00:01,500\nFirst cue\n\n2\n00:00:03,000 --> ${end}\nSecond cue, <i>across</i> a segment boundary\n`);
  writeFileSync(
    ass,
    [
      '[Script Info]', 'ScriptType: v4.00+', 'PlayResX: 640', 'PlayResY: 360', '',
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      'Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1', '',
      '[Events]',
      'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      'Dialogue: 0,0:00:01.00,0:00:02.50,Default,,0,0,0,,Bonjour {\\i1}tout{\\i0} le monde',
      'Dialogue: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,Deuxième ligne\\Nsur deux lignes',
      '',
    ].join('\n'),
  );
  try {
    ffmpeg(args(srt, ass));
  } finally {
    rmSync(srt, { force: true });
    rmSync(ass, { force: true });
  }
}

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
