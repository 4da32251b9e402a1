/**
 * What crosses the queue and the bucket in a chunked job is checked before anything uses it: the task
 * message, the plan every task follows (its fields reach ffmpeg's filter graph, paths and playlists) and
 * the manifests the finisher writes playlists from.
 */
import { describe, expect, it } from 'vitest';
import { parseChunkManifest } from '../../src/core/chunks/chunk-manifest.js';
import { parseMediaManifest } from '../../src/core/chunks/media-manifest.js';
import { parseEncodePlan } from '../../src/core/chunks/plan-schema.js';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { parseJobJson } from '../../src/worker/job-message.js';
import { parseTaskJson, taskName } from '../../src/worker/task-message.js';
import { mediaInfo } from './media-info-builder.js';

const job = { id: 'lecture-1', input: 's3://in/lecture.mp4', output: 's3://out/lecture', chunkSeconds: 12 };
const run = '0123456789abcdef0123456789abcdef';
const task = { task: 'chunk', chunk: 3, job, run };

describe('chunked job messages', () => {
  it('accepts a job with chunkSeconds a whole number of its segments, and refuses one that is not', () => {
    expect(parseJobJson(job).chunkSeconds).toBe(12);
    expect(() => parseJobJson({ ...job, chunkSeconds: 10 })).toThrow(/chunkSeconds: chunk length 10 s is not a whole number of 6 s segments/);
    expect(parseJobJson({ ...job, chunkSeconds: 10, segmentDuration: 5 }).chunkSeconds).toBe(10);
  });

  it('accepts chunk and media tasks and refuses a chunk task without a chunk, a media task naming one, a bad run token or a bad job inside', () => {
    expect(taskName(parseTaskJson(task))).toBe('chunk 3');
    expect(taskName(parseTaskJson({ ...task, task: 'media', chunk: undefined }))).toBe('media');
    expect(() => parseTaskJson({ ...task, chunk: undefined })).toThrow(/names a chunk of its job/);
    expect(() => parseTaskJson({ ...task, task: 'media' })).toThrow(/names a chunk of its job/);
    expect(() => parseTaskJson({ ...task, run: 'job-id' })).toThrow(/run: expected a run token/);
    // The job's shape is the plan's: a message claiming it is not a task.
    expect(() => parseTaskJson({ ...task, chunks: 2, media: false })).toThrow(/invalid task/);
    expect(() => parseTaskJson({ ...task, job: { ...job, input: '' } })).toThrow(/invalid task: job.input/);
    expect(() => parseTaskJson({ ...task, extra: 1 })).toThrow(/invalid task/);
  });
});

describe('plan.json', () => {
  const plan = planLadder(mediaInfo({ duration: 60 }), { cores: 2 });
  const stored = () => JSON.parse(JSON.stringify({ ...plan, input: { ...plan.input, path: '' } })) as Record<string, any>;

  it('round-trips the plan a worker wrote (optional fields back as undefined)', () => {
    expect(parseEncodePlan(JSON.stringify(stored()), 'plan.json')).toEqual({ ...plan, input: { ...plan.input, path: '' } });
  });

  it('refuses fields that would reach the filter graph, a path or a playlist unchecked', () => {
    const crafted = (edit: (p: Record<string, any>) => void) => {
      const p = stored();
      edit(p);
      return () => parseEncodePlan(JSON.stringify(p), 'plan.json');
    };
    expect(crafted((p) => (p.treatment.toneMap = { transfer: 'smpte2084', primaries: 'bt2020,movie=/etc/passwd', matrix: 'bt2020nc', fullRange: false }))).toThrow(/plan.json: treatment.toneMap.primaries/);
    expect(crafted((p) => (p.renditions[0].name = '../../etc'))).toThrow(/renditions.0.name/);
    expect(crafted((p) => (p.video.preset = 'fast -vf movie=x'))).toThrow(/video.preset/);
    expect(crafted((p) => (p.audioRenditions = [{ name: 'a', inputStream: 1, language: 'en', title: 'x",URI="http://evil', isDefault: true, channels: 2, bitrate: 128000, sampleRate: 48000 }]))).toThrow(/title/);
    expect(crafted((p) => (p.subtitleRenditions = [{ name: 's', inputStream: 2, language: 'en\n#EXT-X-KEY', title: 'x', isDefault: false, forced: false }]))).toThrow(/language/);
    expect(crafted((p) => (p.injected = true))).toThrow(/plan.json/);
    expect(() => parseEncodePlan('{', 'plan.json')).toThrow(/plan.json: not valid JSON/);
  });
});

describe('chunk and media manifests', () => {
  const segment = { uri: 'segment_00004.ts', duration: 6.006, bytes: 1000, headerLength: 564, keyframes: [{ offset: 0, length: 900, pts: 1_087_000, selfContained: true }] };
  const manifest = { version: 1, chunk: 2, renditions: [{ name: '360p', codec: 'avc1.64001e', playlistVersion: 6, segments: [segment] }] };

  it('accepts what a chunk writes and refuses segment names outside the rendition, odd codecs or fields', () => {
    expect(parseChunkManifest(JSON.stringify(manifest), 'chunk_00002.json').chunk).toBe(2);
    const bad = (edit: (m: any) => void) => {
      const m = JSON.parse(JSON.stringify(manifest));
      edit(m);
      return () => parseChunkManifest(JSON.stringify(m), 'chunk_00002.json');
    };
    expect(bad((m) => (m.renditions[0].segments[0].uri = '../master.m3u8'))).toThrow(/chunk_00002.json: renditions.0.segments.0.uri/);
    expect(bad((m) => (m.renditions[0].codec = 'avc1.64001e",BANDWIDTH=1'))).toThrow(/codec/);
    expect(bad((m) => (m.renditions[0].segments[0].bytes = -1))).toThrow(/bytes/);
  });

  it('accepts the audio and subtitle manifest and refuses names that are not plain folder names', () => {
    expect(parseMediaManifest(JSON.stringify({ version: 1, audio: [{ name: 'audio-en-stereo', playlist: '#EXTM3U\n', bytes: [10] }], subtitles: [] }), 'media.json').audio).toHaveLength(1);
    expect(() => parseMediaManifest(JSON.stringify({ version: 1, audio: [], subtitles: [{ name: '../subs', vtt: 'WEBVTT' }] }), 'media.json')).toThrow(/subtitles.0.name/);
  });
});
