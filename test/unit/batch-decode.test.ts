/** The batched decode's arguments and its reading of ffmpeg's showinfo lines (captured from ffmpeg 5.1). */
import { describe, expect, it } from 'vitest';
import { batchDecodeArgs, parseBatchDecode } from '../../src/core/verify/batch-decode.js';

// Two 1080p TS segments decoded by one `ffmpeg -loglevel level+info … showinfo` (trimmed to the lines read).
const CAPTURED = `[info] Input #0, mpegts, from 'file:/tmp/v/input-0.ts':
[info]   Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 30 fps, 30 tbr, 90k tbn
[Parsed_showinfo_1 @ 0x5619d7280700] [info] config in time_base: 1/90000, frame_rate: 30/1
[Parsed_showinfo_0 @ 0x5619d7280480] [info] n:   0 pts:   6030 pts_time:0.067   pos:      564 fmt:yuv420p sar:1/1 s:1920x1080 i:P iskey:1 type:I 
[Parsed_showinfo_0 @ 0x5619d7280480] [info]   side data - User Data Unregistered:
[Parsed_showinfo_0 @ 0x5619d7280480] [info] color_range:tv color_space:bt709 color_primaries:bt709 color_trc:bt709
[Parsed_showinfo_1 @ 0x5619d7280700] [info] n:   0 pts: 546030 pts_time:6.067   pos:      564 fmt:yuv420p sar:1/1 s:1920x1080 i:P iskey:1 type:I 
[Parsed_showinfo_1 @ 0x5619d7280700] [info] color_range:tv color_space:bt709 color_primaries:bt709 color_trc:smpte2084
[Parsed_showinfo_0 @ 0x5619d7280480] [info] n:   1 pts:  15030 pts_time:0.167   pos:   849572 fmt:yuv420p sar:1/1 s:1920x1080 i:T iskey:0 type:B 
[info] frame=  180 fps=135 q=-0.0 Lq=-0.0 size=N/A time=00:00:04.00 bitrate=N/A speed=2.99x    
`;

describe('parseBatchDecode', () => {
  it('gives each input its frames, field order and transfer, by the showinfo instance that saw them', () => {
    const [first, second] = parseBatchDecode(CAPTURED, 2)!;
    expect(first!.frames).toEqual([
      { pts: 0.067, key: true, pictType: 'I', interlaced: false, width: 1920, height: 1080 },
      { pts: 0.167, key: false, pictType: 'B', interlaced: true, width: 1920, height: 1080 },
    ]);
    expect(first).toMatchObject({ fieldOrder: 'progressive', colorTransfer: 'bt709' });
    expect(second!.frames).toHaveLength(1);
    expect(second!.colorTransfer).toBe('smpte2084');
  });

  it('any error-level line, or an input without a frame, means "ask ffprobe one by one"', () => {
    expect(parseBatchDecode(`${CAPTURED}[h264 @ 0x55] [error] error while decoding MB 10 4, bytestream -5\n`, 2)).toBeUndefined();
    expect(parseBatchDecode(`[error] Error while decoding stream #1:0: Invalid data found when processing input\n${CAPTURED}`, 2)).toBeUndefined();
    expect(parseBatchDecode(CAPTURED, 3), 'input 2 decoded nothing').toBeUndefined();
    expect(parseBatchDecode('[Parsed_showinfo_5 @ 0x1] [info] n:   0 pts: 0 pts_time:0 pos: 1 fmt:yuv420p sar:1/1 s:2x2 i:P iskey:1 type:I\n', 2), 'an instance that is no input').toBeUndefined();
  });

  it('an fMP4 I-frame range may end inside its fragment: only then is "partial file" expected', () => {
    const partial = `${CAPTURED}[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55] [error] stream 0, offset 0x5a1: partial file\n`;
    expect(parseBatchDecode(partial, 2)).toBeUndefined();
    expect(parseBatchDecode(partial, 2, true)).toHaveLength(2);
  });
});

describe('batchDecodeArgs', () => {
  it('one hardened, single-threaded input per segment, one showinfo chain and one null output each', () => {
    const args = batchDecodeArgs(['/t/a.ts', '/t/b.ts'], 'mpegts');
    expect(args.filter((a) => a === '-i')).toHaveLength(2);
    expect(args).toContain('file:/t/a.ts');
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:v:0]showinfo=checksum=0[o0];[1:v:0]showinfo=checksum=0[o1]');
    expect(args.join(' ')).toContain('-threads 1 -protocol_whitelist file -format_whitelist mpegts');
    expect(args.slice(-10)).toEqual(['-map', '[o0]', '-f', 'null', '-', '-map', '[o1]', '-f', 'null', '-']);
    expect(() => batchDecodeArgs(['relative.ts'], 'mpegts')).toThrow(/absolute/);
  });
});
