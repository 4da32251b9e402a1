/**
 * `hlsify bench`'s upload section: `hlsify upload` and (when installed) `aws s3 sync` run as CLIs against
 * a local s3rver, each with its throughput and CPU seconds, side by side, and the server's own CPU time.
 */
import { describe, expect, it } from 'vitest';
import { hlsify, tempDir } from '../helpers/cli.js';

interface ToolResult {
  seconds: number[];
  medianMBps: number;
  cpuSeconds: number[];
  medianCpuSeconds: number | undefined;
  serverCpuSeconds: number[];
  medianServerBusy: number | undefined;
}

describe('hlsify bench, upload section', () => {
  it('reports MB/s and CPU seconds for hlsify upload, and for aws s3 sync beside it when installed', async () => {
    const tmp = await tempDir('bench-upload');
    const result = await hlsify(['bench', '--duration', '1', '--resolution', '160x120', '--runs', '1', '--jobs', '1', '--skip', 'encode,load,queue', '--upload-segments', '2', '--json', '--tmp-dir', tmp]);

    expect(result.exitCode, String(result.stderr)).toBe(0);
    const json = JSON.parse(String(result.stdout)) as {
      sections: { upload: { state: string; result: { result: { hlsify: ToolResult; aws?: ToolResult & { version: string }; cpuRatio?: number } } } };
      rows: { id: string; note?: string }[];
    };
    expect(json.sections.upload.state).toBe('measured');
    const measured = json.sections.upload.result.result;
    expect(measured.hlsify.medianMBps).toBeGreaterThan(0);
    // The CLI in its own process: its CPU time includes start-up and is well above zero.
    expect(measured.hlsify.medianCpuSeconds).toBeGreaterThan(0.05);
    expect(json.rows.find((r) => r.id === 'upload.hlsify')?.note).toMatch(/\d+\.\d\d CPU s; server \d+% busy/);
    // The local s3rver runs in its own process: its CPU time over the run is read from /proc.
    expect(measured.hlsify.serverCpuSeconds).toHaveLength(1);
    expect(measured.hlsify.serverCpuSeconds[0]).toBeGreaterThan(0);
    expect(measured.hlsify.medianServerBusy).toBeGreaterThan(0);
    expect(String(result.stderr)).toMatch(/\[upload\] run 1\/1 hlsify .* MB\/s, \d+\.\d\d CPU s/);
    if (measured.aws) {
      expect(measured.aws.medianCpuSeconds).toBeGreaterThan(0.05);
      expect(measured.cpuRatio).toBeGreaterThan(0);
      expect(json.rows.find((r) => r.id === 'upload.aws')?.note).toMatch(/CPU s; server \d+% busy.*; hlsify\/aws .*x throughput, .*x CPU/);
    }
  });
});
