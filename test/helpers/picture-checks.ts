/**
 * What a viewer would notice, measured with ffmpeg/ffprobe independently of hlsify: combing (idet),
 * the luma of a patch, stream start times, colour tags, frame timing.
 */
import { execa } from 'execa';

export interface IdetCounts {
  tff: number;
  bff: number;
  progressive: number;
  undetermined: number;
}

/** idet's multi-frame verdicts over the whole input (a file or a media playlist). */
export async function idet(input: string): Promise<IdetCounts> {
  const { stderr } = await execa('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-i', input, '-an', '-sn', '-vf', 'idet', '-f', 'null', '-']);
  const line = stderr.split('\n').filter((l) => l.includes('Multi frame detection')).at(-1) ?? '';
  const count = (name: string) => Number(new RegExp(`${name}:\\s*(\\d+)`).exec(line)?.[1]);
  return { tff: count('TFF'), bff: count('BFF'), progressive: count('Progressive'), undetermined: count('Undetermined') };
}

/** Mean luma (code values of the stored bit depth) of the `w`x`h` patch at `x`,`y`, over every frame. */
export async function patchLuma(input: string, crop: { w: number; h: number; x: number; y: number }): Promise<number> {
  const { stdout } = await execa('ffmpeg', [
    '-hide_banner', '-nostdin', '-v', 'error', '-i', input, '-an', '-sn',
    '-vf', `crop=${crop.w}:${crop.h}:${crop.x}:${crop.y},signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-`,
    '-f', 'null', '-',
  ]);
  const values = [...stdout.matchAll(/YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
  if (values.length === 0) throw new Error(`no luma measured in ${input}`);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** start_time of the first video and first audio stream (undefined when absent). */
export async function streamStarts(input: string): Promise<{ video: number; audio: number | undefined }> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type,start_time', '-of', 'json', input]);
  const streams = (JSON.parse(stdout) as { streams: { codec_type: string; start_time?: string }[] }).streams;
  const start = (type: string) => {
    const s = streams.find((x) => x.codec_type === type);
    return s?.start_time === undefined ? undefined : Number(s.start_time);
  };
  return { video: start('video') ?? NaN, audio: start('audio') };
}

/** Colour and field tags of the first video stream, as ffprobe reads them from the bitstream. */
export async function videoTags(input: string) {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=color_primaries,color_transfer,color_space,color_range,field_order,pix_fmt', '-of', 'json', input]);
  return (JSON.parse(stdout) as { streams: Record<string, string>[] }).streams[0]!;
}

/** Video packets' presentation times, in presentation order. */
export async function videoPts(input: string): Promise<number[]> {
  const { stdout } = await execa('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', input]);
  const times = stdout.split('\n').map((l) => l.split(',')[0]!.trim()).filter((t) => t !== '' && t !== 'N/A').map(Number);
  return [...new Set(times)].sort((a, b) => a - b);
}
