/**
 * Everything the core pipeline reports, as one union keyed on `type`. The core never prints: the CLI
 * renders these as progress bars or lines, the worker as logs, AMQP events and metrics.
 */
import type { EncodePlan } from './plan/encode-plan.js';
import type { SourceMedia } from './probe/media-info.js';

export type PipelineStage = 'probe' | 'plan' | 'encode' | 'playlists' | 'verify' | 'finish' | 'upload';

export interface RenditionProgress {
  name: string;
  /** 0..1 of the input's duration encoded. */
  fraction: number;
}

export type PipelineEvent =
  | { type: 'stage'; stage: PipelineStage }
  | { type: 'probed'; media: SourceMedia }
  | { type: 'planned'; plan: EncodePlan; workDir: string }
  | { type: 'process-started'; process: number; renditions: string[]; pid: number | undefined }
  /** A chunked encode: the video cut into `chunks` of `chunkSeconds`, `parallel` encoded at once. */
  | { type: 'chunks-planned'; chunks: number; chunkSeconds: number; parallel: number }
  | {
      type: 'encode-progress';
      renditions: RenditionProgress[];
      /** 0..1 over the whole ladder. */
      fraction: number;
      /** Media seconds encoded per wall second, over the whole ladder so far. */
      speed: number;
      elapsedSeconds: number;
      etaSeconds: number | undefined;
    }
  | { type: 'process-finished'; process: number; renditions: string[]; wallSeconds: number }
  | { type: 'upload-planned'; location: string; files: number; bytes: number; dryRun: boolean }
  | { type: 'upload-file'; key: string; status: UploadFileStatus; bytes: number; attempts: number }
  | { type: 'upload-retry'; key: string; attempt: number; delayMs: number; reason: string }
  | {
      type: 'upload-progress';
      /** Bytes uploaded or found already in place. */
      bytesDone: number;
      bytesTotal: number;
      filesDone: number;
      filesTotal: number;
      /** Upload rate so far, MB/s (10^6 bytes), skipped files not counted. */
      mbps: number;
      elapsedSeconds: number;
      etaSeconds: number | undefined;
    }
  | { type: 'warning'; message: string };

/** What happened to one file: sent, already there with the same content, or (--dry-run) what would happen. */
export type UploadFileStatus = 'uploaded' | 'skipped' | 'would-upload' | 'would-skip';

export type PipelineListener = (event: PipelineEvent) => void;
