/**
 * A small ladder with alternate renditions, made by ffmpeg's own HLS muxer: one 320x180 video variant,
 * English and French audio (EXT-X-MEDIA TYPE=AUDIO, 440 Hz and 880 Hz tones) and English WebVTT subtitles
 * (TYPE=SUBTITLES) with cues at 1–3 s and 4–6 s. It checks that the preview page and the players handle
 * alternate tracks in any ladder, whoever wrote it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export const FIRST_CUE = { text: 'Hello subtitles', start: 1, end: 3 };

export async function makeAlternateTracksLadder(dir: string): Promise<string> {
  const srt = join(dir, 'subs.srt');
  await writeFile(srt, `1\n00:00:01,000 --> 00:00:03,000\n${FIRST_CUE.text}\n\n2\n00:00:04,000 --> 00:00:06,000\nSecond cue\n`);
  const out = join(dir, 'alternate-tracks');
  await execa('ffmpeg', [
    '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-f', 'lavfi', '-i', 'sine=frequency=880', '-i', srt,
    '-t', '8', '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-c:a', 'aac', '-ac', '2', '-c:s', 'webvtt',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod',
    '-hls_segment_filename', join(out, 'stream_%v', 'seg_%d.ts'),
    '-var_stream_map', 'v:0,s:0,agroup:aud,sgroup:subs,name:video a:0,agroup:aud,language:eng,name:eng,default:yes a:1,agroup:aud,language:fra,name:fra',
    '-master_pl_name', 'master.m3u8',
    join(out, 'stream_%v', 'index.m3u8'),
  ]);
  // ffmpeg 5.1 names the renditions audio_1, audio_2, subtitle_0 and gives the subtitles no language.
  const master = join(out, 'master.m3u8');
  const text = (await readFile(master, 'utf8'))
    .replace('NAME="audio_1"', 'NAME="English"')
    .replace('NAME="audio_2"', 'NAME="Français"')
    .replace('NAME="subtitle_0",DEFAULT=NO', 'NAME="English",DEFAULT=NO,AUTOSELECT=YES,LANGUAGE="eng"');
  await writeFile(master, text);
  // ffmpeg 5.1 writes WebVTT segments without X-TIMESTAMP-MAP, so players place the cues before the video
  // (whose MPEG-TS time stamps start at 1.4 s). Rewrite them with the map, each with the cues it overlaps.
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_pts', '-of', 'csv=p=0', join(out, 'stream_video', 'seg_0.ts')]);
  const cues = [{ ...FIRST_CUE }, { text: 'Second cue', start: 4, end: 6 }];
  const stamp = (s: number) => `00:00:0${s}.000`;
  for (let i = 0; i < 4; i++) {
    const inside = cues.filter((c) => c.start < (i + 1) * 2 && c.end > i * 2);
    const body = inside.map((c) => `${stamp(c.start)} --> ${stamp(c.end)}\n${c.text}\n`).join('\n');
    await writeFile(join(out, 'stream_video', `index${i}.vtt`), `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${stdout.trim().split('\n')[0]},LOCAL:00:00:00.000\n\n${body}`);
  }
  return out;
}
