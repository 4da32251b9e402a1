/**
 * hlsify as a library: `import { transcode, uploadLadder, verifyLadder } from 'hlsify'`. The same core the CLI and the
 * worker run; it never prints and never exits: progress comes as typed events, failures as the errors below.
 */
export { transcode, probeInput, planLadder, type TranscodeOptions, type LadderInput, type LadderPlanOptions } from './library/transcode.js';
export { uploadLadder, type UploadLadderOptions } from './library/upload.js';
export { verifyLadder, type VerifyLadderOptions } from './library/verify.js';
export type { VerifyReport, VerifySummary, RuleResult, RuleLevel, RuleStatus } from './core/verify/report.js';
export type { TranscodeResult } from './core/transcode.js';
export type { UploadResult, UploadedObject } from './core/upload/upload-ladder.js';
export type { PipelineEvent, PipelineListener, PipelineStage, RenditionProgress, UploadFileStatus } from './core/events.js';
export type { MediaInfo, VideoInfo, AudioInfo } from './core/probe/media-info.js';
export type { EncodePlan, PlannedRendition, SegmentType } from './core/plan/encode-plan.js';
export type { RungSpec } from './core/plan/rungs.js';
export type { RenditionResult } from './core/playlist/measure-renditions.js';
export type { HeaderOverrides } from './core/upload/content-headers.js';
export type { RetryPolicy } from './core/upload/retry.js';
export type { X264Preset } from './core/plan/preset.js';
export {
  HlsifyError,
  UsageError,
  InputError,
  EncodeError,
  EnvironmentError,
  TimeoutError,
  CancelledError,
  TransientError,
  InternalError,
  type ErrorKind,
} from './errors.js';
