import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProgressReader, parseProgressBlock, type ProgressBlock } from '../../src/core/encode/progress-parser.js';

// Real stdout of ffmpeg 5.1.9 (Debian 12), captured once with:
//   ffmpeg -nostdin -v error -re -f lavfi -i testsrc2=size=320x240:rate=25 -t 3 -c:v libx264 -preset ultrafast \
//     -f null - -progress pipe:1 -stats_period 0.5 > test/data/progress-ffmpeg-5.1.txt
// (-re keeps the encode near realtime so there are several blocks; one of them has the padded "speed= 0.9x").
const CAPTURED = readFileSync(new URL('../data/progress-ffmpeg-5.1.txt', import.meta.url), 'utf8');

function readAll(text: string): ProgressBlock[] {
  const read = createProgressReader();
  const blocks: ProgressBlock[] = [];
  for (const line of text.split('\n')) {
    const block = read(line);
    if (block) blocks.push(block);
  }
  return blocks;
}

describe('createProgressReader on real ffmpeg 5.1 output', () => {
  const blocks = readAll(CAPTURED);

  it('returns one block per progress= line', () => {
    expect(blocks).toHaveLength(7);
    expect(blocks).toHaveLength(CAPTURED.match(/^progress=/gm)!.length);
  });

  it('marks only the last block as the end', () => {
    expect(blocks.map((b) => b.end)).toEqual([false, false, false, false, false, false, true]);
  });

  it('reads out_time_us as seconds that only move forward, from 0 to the 3 s encoded', () => {
    const times = blocks.map((b) => b.outTimeSeconds);
    expect(times).toEqual([0, 0.36, 0.88, 1.36, 1.88, 2.36, 3]);
  });

  it('reads the frame count', () => {
    expect(blocks.map((b) => b.frame)).toEqual([1, 13, 26, 38, 51, 63, 75]);
  });

  it('reads the space-padded speed ("speed= 0.9x") and treats the first block’s N/A as unknown', () => {
    expect(blocks[0]!.speed).toBeUndefined();
    expect(blocks[3]!.speed).toBe(0.9);
    expect(blocks.at(-1)!.speed).toBe(0.997);
    for (const block of blocks.slice(1)) expect(block.speed).toBeGreaterThan(0);
  });

  it('treats total_size=N/A (a null output) as unknown, not zero', () => {
    for (const block of blocks) expect(block.totalSize).toBeUndefined();
  });
});

describe('parseProgressBlock', () => {
  it('reads a block of an encode that writes files', () => {
    const block = parseProgressBlock([
      'frame=150', 'fps=48.91', 'stream_0_0_q=28.0', 'bitrate=2771.6kbits/s', 'total_size=2078720',
      'out_time_us=6000000', 'out_time_ms=6000000', 'out_time=00:00:06.000000', 'dup_frames=0', 'drop_frames=0',
      'speed=1.96x', 'progress=continue',
    ]);
    expect(block).toEqual({ frame: 150, fps: 48.91, outTimeSeconds: 6, totalSize: 2078720, speed: 1.96, end: false });
  });

  it('uses out_time_us, not the misnamed out_time_ms, for the time', () => {
    expect(parseProgressBlock(['out_time_ms=2500000', 'out_time_us=2500000', 'progress=continue']).outTimeSeconds).toBe(2.5);
    expect(parseProgressBlock(['out_time_ms=2500000', 'progress=continue']).outTimeSeconds).toBeUndefined();
  });

  it('treats N/A and the negative start-up time as unknown', () => {
    expect(parseProgressBlock(['out_time_us=N/A', 'speed=N/A', 'fps=N/A', 'progress=continue'])).toMatchObject({
      outTimeSeconds: undefined,
      speed: undefined,
      fps: undefined,
    });
    expect(parseProgressBlock(['out_time_us=-9223372036854775807', 'progress=continue']).outTimeSeconds).toBeUndefined();
  });

  it('reads padded speeds however much padding there is', () => {
    expect(parseProgressBlock(['speed=   1x', 'progress=continue']).speed).toBe(1);
    expect(parseProgressBlock(['speed=  1.2x', 'progress=continue']).speed).toBe(1.2);
  });

  it('tolerates CRLF line ends', () => {
    expect(parseProgressBlock(['out_time_us=1000000\r', 'progress=end\r'])).toMatchObject({ outTimeSeconds: 1, end: true });
  });
});

describe('createProgressReader', () => {
  it('returns nothing until a block is complete, then starts a fresh block', () => {
    const read = createProgressReader();
    expect(read('frame=10')).toBeUndefined();
    expect(read('out_time_us=400000')).toBeUndefined();
    expect(read('progress=continue')).toMatchObject({ frame: 10, outTimeSeconds: 0.4, end: false });
    expect(read('speed=2x')).toBeUndefined();
    // The second block does not inherit the first block's frame.
    expect(read('progress=end')).toMatchObject({ frame: undefined, speed: 2, end: true });
  });
});
