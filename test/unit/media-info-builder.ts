/** Builds MediaInfo in memory for planner and argument-builder tests (plans are plain data). */
import type { MediaInfo } from '../../src/core/probe/media-info.js';

export interface MediaShape {
  width?: number;
  height?: number;
  fps?: number;
  duration?: number;
  /** File size in bytes. */
  size?: number;
  /** Audio sample rate; `false` for a video without audio. */
  audio?: number | false;
  path?: string;
  nominalFps?: number;
  fieldOrder?: string;
  colour?: Partial<MediaInfo['video']['colour']>;
  pixFmt?: string;
}

export function mediaInfo(shape: MediaShape = {}): MediaInfo {
  const width = shape.width ?? 1920;
  const height = shape.height ?? 1080;
  const audio = shape.audio ?? 48000;
  return {
    path: shape.path ?? '/videos/input.mp4',
    size: shape.size ?? 20 * 1024 * 1024,
    format: 'mov,mp4,m4a,3gp,3g2,mj2',
    duration: shape.duration ?? 60,
    bitrate: 8_000_000,
    video: {
      index: 0,
      codec: 'h264',
      codedWidth: width,
      codedHeight: height,
      displayWidth: width,
      displayHeight: height,
      rotation: 0,
      fps: shape.fps ?? 25,
      pixFmt: shape.pixFmt ?? 'yuv420p',
      bitDepth: 8,
      nominalFps: shape.nominalFps ?? shape.fps ?? 25,
      fieldOrder: shape.fieldOrder ?? 'progressive',
      colour: { range: 'tv', matrix: 'bt709', transfer: 'bt709', primaries: 'bt709', ...shape.colour },
      streamDuration: shape.duration ?? 60,
    },
    audio: audio === false ? undefined : { index: 1, codec: 'aac', channels: 2, channelLayout: 'stereo', sampleRate: audio },
  };
}
