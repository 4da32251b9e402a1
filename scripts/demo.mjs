// `npm run demo`: generates a 1080p sample (once) and turns it into a ladder with the real CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(root, 'samples');
const sample = join(samples, 'sample-1080p.mp4');
const ffmpeg = process.env.HLSIFY_FFMPEG ?? 'ffmpeg';

if (!existsSync(sample)) {
  mkdirSync(samples, { recursive: true });
  console.error(`demo: generating a 10 s 1080p25 sample with audio: ${sample}`);
  const partial = join(samples, 'partial-sample.mp4');
  execFileSync(ffmpeg, [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '10',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', partial,
  ], { stdio: 'inherit' });
  renameSync(partial, sample);
}

const result = spawnSync(process.execPath, [join(root, 'bin', 'hlsify.js'), 'transcode', sample, '--force', ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.status === 0) console.error(`demo: the ladder is in ${join(samples, 'sample-1080p-hls')} (open master.m3u8 in a player, e.g. ffplay or VLC)`);
process.exit(result.status ?? 1);
