import { describe, expect, it } from 'vitest';
import { checkAttributeTypes, parseAttributeList, ATTRIBUTE_TYPES } from '../../src/core/verify/attributes.js';
import { parseMasterPlaylist, parseMediaPlaylist, playlistKind } from '../../src/core/verify/parse-playlist.js';
import { codecMatches } from '../../src/core/verify/codec-strings.js';
import { judge, summarize } from '../../src/core/verify/report.js';
import { sniffContainer, segmentProbeArgs } from '../../src/core/verify/segment-probe.js';

describe('attribute lists (RFC 8216 §4.2)', () => {
  it('splits quoted values with commas and checks each known type', () => {
    const list = parseAttributeList('BANDWIDTH=1200000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,FRAME-RATE=29.970,HDCP-LEVEL=NONE');
    expect(list.values.get('CODECS')).toBe('avc1.64001f,mp4a.40.2');
    expect(list.problems).toEqual([]);
    expect(checkAttributeTypes(list, ATTRIBUTE_TYPES['EXT-X-STREAM-INF'])).toEqual([]);
  });

  it('names every wrong type, duplicate and unterminated quote', () => {
    const list = parseAttributeList('BANDWIDTH="100",RESOLUTION=1280*720,FRAME-RATE=-1,CODECS=avc1');
    expect(list.problems).toEqual([]);
    expect(checkAttributeTypes(list, ATTRIBUTE_TYPES['EXT-X-STREAM-INF'])).toEqual([
      'BANDWIDTH: "100" is not a decimal-integer',
      'CODECS must be a quoted-string',
      'RESOLUTION: "1280*720" is not a resolution',
      'FRAME-RATE: "-1" is not a float',
    ]);
    expect(parseAttributeList('BANDWIDTH=1,BANDWIDTH=2').problems).toEqual(['attribute BANDWIDTH appears twice']);
    expect(parseAttributeList('NAME="open').problems).toEqual(['NAME: unterminated quoted-string']);
  });
});

describe('playlists', () => {
  it('tells master from media playlists', () => {
    expect(playlistKind('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n')).toBe('master');
    expect(playlistKind('#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n')).toBe('media');
  });

  it('reports structure problems of a master playlist with line numbers', () => {
    const master = parseMasterPlaylist('#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1,AUDIO="a"\nv.m3u8\n#EXT-X-MEDIA:TYPE=AUDIO,NAME="x"\n#EXTINF:2,\n#EXT-X-STREAM-INF:BANDWIDTH=1\n');
    expect(master.structure).toEqual([
      'line 2: EXT-X-STREAM-INF without BANDWIDTH',
      'line 4: EXT-X-MEDIA without GROUP-ID',
      'line 5: media playlist tag EXTINF in a master playlist',
      'line 6: EXT-X-STREAM-INF is not followed by a URI',
      'v.m3u8: AUDIO="a" names no EXT-X-MEDIA TYPE=AUDIO group',
    ]);
  });

  it('reads media playlists: byte ranges continue from the previous one, versions needed per feature', () => {
    const media = parseMediaPlaylist('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:100@0\nall.mp4\n#EXTINF:2.0,\n#EXT-X-BYTERANGE:50\nall.mp4\n#EXT-X-ENDLIST\n');
    expect(media.segments.map((s) => s.byteRange)).toEqual([{ length: 100, offset: 0 }, { length: 50, offset: 100 }]);
    expect(media.segments[1]!.map).toEqual({ uri: 'init.mp4', byteRange: undefined });
    expect(media.versionNeeds.map((n) => `${n.feature}:${n.version}`)).toEqual(['EXT-X-MAP (outside I-frame playlists):6', 'decimal EXTINF durations:3', 'EXT-X-BYTERANGE:4', 'decimal EXTINF durations:3', 'EXT-X-BYTERANGE:4']);
    expect(media.structure).toEqual([]);
  });

  it('flags a missing TARGETDURATION, an EXTINF without URI and a duplicated tag', () => {
    const media = parseMediaPlaylist('#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:2,\n#EXTINF:abc,\na.ts\n');
    expect(media.structure).toEqual([
      'line 3: EXT-X-PLAYLIST-TYPE appears more than once',
      'line 5: EXTINF duration "abc" is not a decimal number',
      'line 4: EXTINF is not followed by a URI',
      'no EXT-X-TARGETDURATION (required)',
    ]);
  });
});

describe('report and codecs', () => {
  it('a failing SHOULD warns, a failing MUST fails the verdict', () => {
    const rules = [judge({ id: 'a', level: 'SHOULD', title: '' }, ['x']), judge({ id: 'b', level: 'MUST', title: '' }, ['y']), judge({ id: 'c', level: 'MUST', title: '' }, [], { applicable: false })];
    expect(rules.map((r) => r.status)).toEqual(['WARN', 'FAIL', 'N/A']);
    expect(summarize(rules)).toMatchObject({ ok: false, failedMust: ['b'], warned: ['a'], notApplicable: 1 });
  });

  it('matches CODECS exactly for H.264 and AAC, by family for HEVC', () => {
    expect(codecMatches('avc1.64001F', 'avc1.64001f')).toBe(true);
    expect(codecMatches('avc3.64001f', 'avc1.64001f')).toBe(true);
    expect(codecMatches('avc1.640028', 'avc1.64001f')).toBe(false);
    expect(codecMatches('mp4a.40.5', 'mp4a.40.2')).toBe(false);
    expect(codecMatches('hvc1.2.4.L123.B0', 'hvc1')).toBe(true);
  });
});

describe('segment probing', () => {
  it('sniffs containers from their first bytes', () => {
    const ts = new Uint8Array(376);
    ts[0] = 0x47;
    ts[188] = 0x47;
    expect(sniffContainer(ts)).toBe('mpegts');
    expect(sniffContainer(new Uint8Array([0, 0, 0, 24, 0x73, 0x74, 0x79, 0x70]))).toBe('mov');
    expect(sniffContainer(new TextEncoder().encode('WEBVTT\n\n'))).toBe('webvtt');
    expect(sniffContainer(new TextEncoder().encode('#EXTM3U\n'))).toBe('unknown');
  });

  it('runs ffprobe with only file: and only the sniffed container, behind a file: URL', () => {
    const args = segmentProbeArgs('/tmp/x/segment.ts', 'mpegts', false);
    expect(args).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file', '-format_whitelist', 'mpegts', '-f', 'mpegts']));
    expect(args.at(-1)).toBe('file:/tmp/x/segment.ts');
    expect(args.join(' ')).not.toContain('frame=');
    expect(segmentProbeArgs('/tmp/x/s.mp4', 'mov', true).join(' ')).toContain('frame=');
  });
});
