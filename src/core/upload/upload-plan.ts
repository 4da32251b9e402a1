/**
 * planUpload: the files of a ladder → the order they go up in. Pure. Segments (and init segments) first,
 * then media playlists, then master.m3u8 last, so no reader ever sees a playlist naming a missing object.
 */
import { contentHeaders, fileKind, type HeaderOverrides } from './content-headers.js';
import { objectKey, type S3Location } from './s3-location.js';

export interface LocalFile {
  /** Path relative to the ladder root, with forward slashes. */
  relativePath: string;
  absolutePath: string;
  size: number;
}

export interface PlannedObject extends LocalFile {
  key: string;
  contentType: string;
  cacheControl: string;
}

export interface UploadPlan {
  location: S3Location;
  /** Uploaded one phase after another; files within a phase in parallel. */
  phases: PlannedObject[][];
  files: number;
  bytes: number;
}

const PHASE_OF = { segment: 0, 'init-segment': 0, other: 0, 'media-playlist': 1, master: 2 } as const;

export function planUpload(files: readonly LocalFile[], location: S3Location, headers: HeaderOverrides = {}): UploadPlan {
  const phases: PlannedObject[][] = [[], [], []];
  for (const file of [...files].sort((a, b) => a.relativePath.localeCompare(b.relativePath))) {
    phases[PHASE_OF[fileKind(file.relativePath)]]!.push({ ...file, key: objectKey(location, file.relativePath), ...contentHeaders(file.relativePath, headers) });
  }
  return {
    location,
    phases: phases.filter((phase) => phase.length > 0),
    files: files.length,
    bytes: files.reduce((sum, f) => sum + f.size, 0),
  };
}
