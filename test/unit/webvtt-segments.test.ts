import { describe, expect, it } from 'vitest';
import { assignCues, buildSubtitlePlaylist, buildWebVttSegment, parseTimestamp, parseWebVtt } from '../../src/core/playlist/webvtt-segments.js';

// What ffmpeg 5.1 writes for a SubRip track (-c:s webvtt -f webvtt), plus a STYLE block and a NOTE.
const VTT = `WEBVTT

STYLE
::cue { color: yellow }

NOTE a comment

00:00.521 --> 00:02.521
Hello from the subtitles

intro-2
00:03.021 --> 00:07.021 line:10%
Spanning a boundary <i>italic</i>

01:00:08.000 --> 01:00:11.000
After the video ends
`;

describe('parseTimestamp', () => {
  it('reads mm:ss.ttt and hh:mm:ss.ttt, rejects the rest', () => {
    expect(parseTimestamp('00:03.021')).toBeCloseTo(3.021, 9);
    expect(parseTimestamp('01:00:08.000')).toBe(3608);
    expect(parseTimestamp('3.021')).toBeUndefined();
    expect(parseTimestamp('00:61.000')).toBeUndefined();
  });
});

describe('parseWebVtt', () => {
  it('keeps cue blocks verbatim (identifier and settings), STYLE before the cues, and drops NOTE', () => {
    const file = parseWebVtt(VTT);
    expect(file.preamble).toEqual(['STYLE\n::cue { color: yellow }']);
    expect(file.cues.map((c) => [c.start, c.end])).toEqual([[0.521, 2.521], [3.021, 7.021], [3608, 3611]]);
    expect(file.cues[1]!.block).toBe('intro-2\n00:03.021 --> 00:07.021 line:10%\nSpanning a boundary <i>italic</i>');
  });
});

describe('assignCues', () => {
  const { cues } = parseWebVtt(VTT);
  it('puts each cue in every segment it overlaps, and none past the last one', () => {
    const segments = assignCues(cues, [2, 2, 2, 0.04], 0);
    expect(segments.map((list) => list.map((c) => c.start))).toEqual([[0.521], [0.521, 3.021], [3.021], [3.021]]);
  });

  it('shifts the boundaries by the video’s start in the track’s time', () => {
    expect(assignCues(cues, [2.5, 2], 0.6).map((list) => list.map((c) => c.start))).toEqual([[0.521, 3.021], [3.021]]);
  });
});

describe('buildWebVttSegment and buildSubtitlePlaylist', () => {
  it('starts every segment with WEBVTT and X-TIMESTAMP-MAP, then the preamble and cues', () => {
    const file = parseWebVtt(VTT);
    expect(buildWebVttSegment(file, file.cues.slice(0, 1), 5310)).toBe(
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:5310,LOCAL:00:00:00.000\n\nSTYLE\n::cue { color: yellow }\n\n00:00.521 --> 00:02.521\nHello from the subtitles\n',
    );
    expect(buildWebVttSegment(file, [], 0)).toBe('WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000\n\nSTYLE\n::cue { color: yellow }\n');
  });

  it('writes a VOD playlist with the video’s durations and target duration', () => {
    expect(buildSubtitlePlaylist([6, 6, 1.5], 6)).toBe(
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.000000,\nsegment_00000.vtt\n#EXTINF:6.000000,\nsegment_00001.vtt\n#EXTINF:1.500000,\nsegment_00002.vtt\n#EXT-X-ENDLIST\n',
    );
  });
});
