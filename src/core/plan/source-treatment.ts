/**
 * What a source needs before it is scaled into renditions: deinterlacing, HDR → SDR tone mapping, its
 * YUV matrix and range, and a constant frame rate. Pure: probe facts and the field sample in, data out.
 */
import type { FieldSample } from '../probe/field-sample.js';
import type { VideoInfo } from '../probe/media-info.js';

export type DeinterlaceOption = 'off' | 'frame' | 'field' | 'auto';

export interface SourceTreatment {
  /** bwdif settings; undefined for a progressive source (or --deinterlace off). */
  deinterlace: { rate: 'field' | 'frame'; parity: 'tff' | 'bff'; reason: string } | undefined;
  /** PQ (HDR10) or HLG tone-mapped to SDR BT.709; undefined for SDR. */
  toneMap: { transfer: 'smpte2084' | 'arib-std-b67'; primaries: string; matrix: string; fullRange: boolean } | undefined;
  /** How the scaler must read the source's YUV (after any tone mapping, which outputs BT.709 limited). */
  input: { matrix: ScalerMatrix; fullRange: boolean };
  /** Frame rate coming out of the deinterlacer (field rate doubles it). */
  decodedFps: number;
  /** True when the source's timestamps are irregular (variable frame rate): the fps filter always runs. */
  variableFrameRate: boolean;
}

/** Matrix names swscale's scale filter accepts for in_color_matrix. */
export type ScalerMatrix = 'bt709' | 'bt601' | 'bt2020' | 'smpte240m' | 'fcc';

const INTERLACED_FLAGS: Readonly<Record<string, 'tff' | 'bff'>> = {
  tt: 'tff',
  bb: 'bff',
  // tb: top coded first, bottom displayed first; bt: the reverse (libavcodec's AVFieldOrder).
  tb: 'bff',
  bt: 'tff',
};

const HDR_TRANSFERS = new Set(['smpte2084', 'arib-std-b67']);

/** Interlaced or not, from the flag and the picture: the flag decides only when the sample cannot. */
export function detectInterlace(fieldOrder: string, sample: FieldSample | undefined): { interlaced: boolean; parity: 'tff' | 'bff'; reason: string } {
  const flagged = INTERLACED_FLAGS[fieldOrder];
  const total = sample ? sample.tff + sample.bff + sample.progressive + sample.undetermined : 0;
  const decided = sample ? sample.tff + sample.bff + sample.progressive : 0;
  const combed = sample ? sample.tff + sample.bff : 0;
  const parity = sample && combed > 0 ? (sample.tff >= sample.bff ? 'tff' : 'bff') : (flagged ?? 'tff');
  const counts = sample ? `idet: ${sample.tff} TFF, ${sample.bff} BFF, ${sample.progressive} progressive, ${sample.undetermined} undetermined` : 'no field sample';
  if (sample && decided >= 10 && decided >= total * 0.2) {
    // Flagged interlaced: deinterlace unless the picture is clearly progressive (a static sample shows no
    // combing either way). Not flagged interlaced: deinterlace only when most decided frames are combed AND
    // with one field order: real interlacing has a consistent parity, while fine detail in fast motion
    // fools idet into both (progressive testsrc2: 75 TFF, 46 BFF, or 41 TFF, 10 BFF, 10 progressive after
    // x264; woven fields: 75 TFF, 0 BFF). A progressive flag needs stronger evidence than no flag: wrongly
    // deinterlacing at field rate doubles the frame rate and the cost of a progressive source.
    const consistent = Math.max(sample.tff, sample.bff) >= combed * 0.95;
    const mostlyCombed = combed >= decided * (fieldOrder === 'progressive' ? 0.8 : 0.5);
    const interlaced = flagged ? sample.progressive < decided * 0.8 : mostlyCombed && consistent;
    return { interlaced, parity, reason: `flagged ${fieldOrder}, ${counts}` };
  }
  return { interlaced: flagged !== undefined, parity, reason: `flagged ${fieldOrder}, ${counts}` };
}

/** The scaler matrix for the source's tag; untagged video is guessed as players do (SD → BT.601). */
export function scalerMatrix(tag: string | undefined, codedHeight: number): ScalerMatrix {
  switch (tag) {
    case 'bt709':
      return 'bt709';
    case 'smpte170m':
    case 'bt470bg':
      return 'bt601';
    case 'bt2020nc':
    case 'bt2020c':
      return 'bt2020';
    case 'smpte240m':
      return 'smpte240m';
    case 'fcc':
      return 'fcc';
    default:
      return codedHeight <= 576 ? 'bt601' : 'bt709';
  }
}

const COMMON_RATES = [24000 / 1001, 24, 25, 30000 / 1001, 30, 50, 60000 / 1001, 60];

/**
 * The rate a source is meant to play at, and whether its timestamps are irregular. Phone recordings and
 * screen captures are variable: their nominal rate (r_frame_rate) is used when sane, else the average
 * snapped to a common rate within 2%.
 */
export function sourceFrameRate(video: Pick<VideoInfo, 'fps' | 'nominalFps'>): { fps: number; variable: boolean } {
  const average = video.fps;
  const nominal = video.nominalFps;
  if (nominal === undefined || Math.abs(nominal - average) <= average * 0.005) return { fps: average, variable: false };
  // Field-coded interlaced video reports the field rate as nominal: constant, at the frame rate.
  if (Math.abs(nominal - 2 * average) <= average * 0.01) return { fps: average, variable: false };
  if (nominal <= 120 && nominal >= average * 0.99) return { fps: nominal, variable: true };
  const nearest = [...COMMON_RATES].sort((a, b) => Math.abs(a - average) - Math.abs(b - average))[0]!;
  const common = Math.abs(nearest - average) <= nearest * 0.02 ? nearest : undefined;
  return { fps: common ?? Math.round(average * 1000) / 1000, variable: true };
}

/** Plans the source treatment for `video` with the deinterlace option and the field sample (if taken). */
export function planSourceTreatment(video: VideoInfo, options: { deinterlace?: DeinterlaceOption | undefined; fieldSample?: FieldSample | undefined } = {}): SourceTreatment {
  const mode = options.deinterlace ?? 'auto';
  const rate = sourceFrameRate(video);
  const detected = detectInterlace(video.fieldOrder, options.fieldSample);
  let deinterlace: SourceTreatment['deinterlace'];
  if (mode === 'frame' || mode === 'field') {
    deinterlace = { rate: mode, parity: detected.parity, reason: `--deinterlace ${mode}; ${detected.reason}` };
  } else if (mode === 'auto' && detected.interlaced) {
    // Field rate (Apple HLS authoring 1.15: 30i becomes 60p) while that stays at most 60 fps.
    deinterlace = { rate: rate.fps * 2 <= 60.5 ? 'field' : 'frame', parity: detected.parity, reason: detected.reason };
  }
  const transfer = video.colour.transfer;
  const fullRange = video.colour.range === 'pc' || video.pixFmt.startsWith('yuvj');
  const toneMap: SourceTreatment['toneMap'] =
    transfer !== undefined && HDR_TRANSFERS.has(transfer)
      ? { transfer: transfer as 'smpte2084' | 'arib-std-b67', primaries: video.colour.primaries ?? 'bt2020', matrix: video.colour.matrix ?? 'bt2020nc', fullRange }
      : undefined;
  return {
    deinterlace,
    toneMap,
    // The tone-mapping chain already outputs BT.709 limited range.
    input: toneMap ? { matrix: 'bt709', fullRange: false } : { matrix: scalerMatrix(video.colour.matrix, video.codedHeight), fullRange },
    decodedFps: deinterlace?.rate === 'field' ? rate.fps * 2 : rate.fps,
    variableFrameRate: rate.variable,
  };
}

/** The treatment in a few words for logs ("" when the source is used as it is). */
export function describeTreatment(treatment: SourceTreatment, outputFps: number): string {
  const parts: string[] = [];
  if (treatment.deinterlace) parts.push(`deinterlace (bwdif, ${treatment.deinterlace.rate} rate, ${treatment.deinterlace.parity}; ${treatment.deinterlace.reason})`);
  if (treatment.toneMap) parts.push(`tone-map ${treatment.toneMap.transfer === 'smpte2084' ? 'PQ' : 'HLG'} to SDR BT.709`);
  if (treatment.input.fullRange) parts.push('full range to limited');
  if (treatment.input.matrix !== 'bt709') parts.push(`${treatment.input.matrix} matrix to bt709`);
  if (treatment.variableFrameRate) parts.push(`variable frame rate to constant ${Math.round(outputFps * 1000) / 1000} fps`);
  return parts.join('; ');
}
