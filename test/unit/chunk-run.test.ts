/**
 * A chunked job's run: the fingerprint that binds its state to the job's fields, the folder it lives in,
 * and plan.json (the run and the plan) as every task reads it back.
 */
import { describe, expect, it } from 'vitest';
import { planLadder } from '../../src/core/plan/plan-ladder.js';
import { jobFingerprint, newRunToken, parseRunFolder, parseStoredPlan, runFolder, storedPlanJson, type RunRecord } from '../../src/worker/chunk-run.js';
import { parseJobJson } from '../../src/worker/job-message.js';
import { mediaInfo } from './media-info-builder.js';

const job = parseJobJson({ id: 'lecture-1', input: 's3://in/lecture.mp4', output: 's3://out/lecture', chunkSeconds: 12, priority: 3 });

describe('job fingerprint', () => {
  it('changes with every field that decides the ladder, and not with priority or webhook', () => {
    const base = jobFingerprint(job, 12);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(jobFingerprint({ ...job, priority: 9, webhook: 'https://example.test/h' }, 12)).toBe(base);
    for (const changed of [{ input: 's3://in/other.mp4' }, { output: 's3://out/other' }, { ladder: [{ size: 240 }] }, { preset: 'fast' as const }, { crf: 20 }, { segmentDuration: 4 }, { segmentType: 'fmp4' as const }]) {
      expect(jobFingerprint({ ...job, ...changed }, 12), JSON.stringify(changed)).not.toBe(base);
    }
    expect(jobFingerprint(job, 24)).not.toBe(base);
  });
});

describe('run folders', () => {
  it('name the job, its fingerprint and a fresh token, and parse back; anything else is not a run', () => {
    const token = newRunToken();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(newRunToken()).not.toBe(token);
    const folder = runFolder('lecture-1.v2', 'ab'.repeat(8), token);
    expect(parseRunFolder(folder)).toEqual({ jobId: 'lecture-1.v2', fingerprint: 'ab'.repeat(8), token });
    for (const junk of ['lecture-1', 'lecture-1.abababababababab', `lecture-1.abab.${token}`, `../x.${'ab'.repeat(8)}.${token}`, `x.${'AB'.repeat(8)}.${token}`]) expect(parseRunFolder(junk), junk).toBeUndefined();
  });
});

describe('plan.json with its run', () => {
  const plan = planLadder(mediaInfo({ duration: 60 }), { cores: 2 });
  const run: RunRecord = { token: newRunToken(), jobId: job.id, fingerprint: jobFingerprint(job, 12), chunkSeconds: 12, chunks: 5, media: true, splitAt: 1_700_000_000_000, deadline: 1_700_000_360_000, duration: 60 };

  it('round-trips, without the splitting worker\'s input path', () => {
    const stored = parseStoredPlan(JSON.stringify(storedPlanJson(run, { ...plan, input: { ...plan.input, path: '/tmp/secret/input.mkv' } })), 'plan.json');
    expect(stored.run).toEqual(run);
    expect(stored.plan.input.path).toBe('');
    expect(stored.plan).toEqual({ ...plan, input: { ...plan.input, path: '' } });
  });

  it('refuses a run past the task limit, a bad token or extra fields', () => {
    const text = (edit: (r: Record<string, unknown>) => void) => {
      const json = storedPlanJson(run, plan) as { run: Record<string, unknown> };
      edit(json.run);
      return JSON.stringify(json);
    };
    expect(() => parseStoredPlan(text((r) => (r.chunks = 59_400)), 'plan.json')).toThrow(/plan.json: run.chunks/);
    expect(() => parseStoredPlan(text((r) => (r.token = 'x')), 'plan.json')).toThrow(/run.token/);
    expect(() => parseStoredPlan(text((r) => (r.extra = 1)), 'plan.json')).toThrow(/plan.json/);
  });
});
