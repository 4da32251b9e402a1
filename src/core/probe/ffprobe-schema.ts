/** The part of `ffprobe -of json -show_format -show_streams` hlsify relies on, checked with zod. */
import { z } from 'zod';

const numeric = z.union([z.string(), z.number()]).transform((value) => Number(value));

export const ffprobeStreamSchema = z.object({
  index: z.number().int().nonnegative(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  sample_aspect_ratio: z.string().optional(),
  pix_fmt: z.string().optional(),
  bits_per_raw_sample: numeric.optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  duration: numeric.optional(),
  start_time: numeric.optional(),
  field_order: z.string().optional(),
  color_range: z.string().optional(),
  color_space: z.string().optional(),
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  channels: z.number().int().optional(),
  channel_layout: z.string().optional(),
  sample_rate: numeric.optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ side_data_type: z.string().optional(), rotation: z.number().optional() }).loose()).optional(),
});

export const ffprobeOutputSchema = z.object({
  streams: z.array(ffprobeStreamSchema.loose()).default([]),
  format: z
    .object({
      format_name: z.string(),
      duration: numeric.optional(),
      size: numeric.optional(),
      bit_rate: numeric.optional(),
    })
    .loose(),
});

export type FfprobeOutput = z.infer<typeof ffprobeOutputSchema>;
export type FfprobeStream = z.infer<typeof ffprobeStreamSchema>;
