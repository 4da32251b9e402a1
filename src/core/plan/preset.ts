/** x264 presets and the size rule for picking one from the input's size and duration. */

export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];

const MB = 1024 * 1024;

/** The size rule: > 500 MB or > 10 min → faster; > 100 MB or > 5 min → medium; else slow. */
export function selectPreset(sizeBytes: number, durationSeconds: number): X264Preset {
  if (sizeBytes > 500 * MB || durationSeconds > 600) return 'faster';
  if (sizeBytes > 100 * MB || durationSeconds > 300) return 'medium';
  return 'slow';
}
