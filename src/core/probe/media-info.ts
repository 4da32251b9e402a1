/** What hlsify knows about an input after probing it: the typed result of ffprobe. */
export interface VideoInfo {
  /** Stream index inside the input (for `-map 0:N`). */
  index: number;
  codec: string;
  /** Stored frame size. */
  codedWidth: number;
  codedHeight: number;
  /** Size as displayed: sample aspect ratio and rotation applied. */
  displayWidth: number;
  displayHeight: number;
  /** Rotation in degrees the player applies (0, 90, 180, 270). */
  rotation: number;
  /** Frames per second (average; falls back to the nominal rate). */
  fps: number;
  pixFmt: string;
  bitDepth: number;
  /** The container's nominal rate (ffprobe r_frame_rate); differs from `fps` for variable frame rate. */
  nominalFps: number | undefined;
  /** Field order as flagged (ffprobe field_order): progressive, tt, bb, tb, bt or unknown. Flags can lie. */
  fieldOrder: string;
  /** Colour tags as flagged; undefined when the stream does not say. */
  colour: VideoColour;
  /** Seconds of the video stream alone (Matroska: its DURATION tag); undefined when unknown. */
  streamDuration: number | undefined;
}

/** ffprobe's names: range tv/pc, matrix bt709/smpte170m/bt2020nc…, transfer bt709/smpte2084/arib-std-b67…. */
export interface VideoColour {
  range: string | undefined;
  matrix: string | undefined;
  transfer: string | undefined;
  primaries: string | undefined;
}

export interface AudioInfo {
  index: number;
  codec: string;
  channels: number;
  channelLayout: string | undefined;
  sampleRate: number;
}

export interface MediaInfo {
  path: string;
  /** File size in bytes. */
  size: number;
  /** Container name as ffprobe reports it. */
  format: string;
  /** Seconds: the video stream's duration when known, else the container's. */
  duration: number;
  /** Overall bit rate in bits per second (0 when unknown). */
  bitrate: number;
  video: VideoInfo;
  audio: AudioInfo | undefined;
}
