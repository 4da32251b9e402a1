/** RFC 8216 §4.2 attribute lists: parsing and the value types each known attribute must have. */

export type AttributeType = 'integer' | 'hex' | 'float' | 'signed-float' | 'quoted' | 'enum' | 'resolution';

export interface AttributeList {
  /** Raw values, quotes removed from quoted-strings. */
  values: Map<string, string>;
  /** Names whose value was a quoted-string. */
  quoted: Set<string>;
  problems: string[];
}

/** Splits `A=1,B="x,y",C=NO` into its attributes; malformed parts become problems. */
export function parseAttributeList(text: string): AttributeList {
  const values = new Map<string, string>();
  const quoted = new Set<string>();
  const problems: string[] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) {
      problems.push(`"${text.slice(i)}" is not NAME=VALUE`);
      break;
    }
    const name = text.slice(i, eq);
    if (!/^[A-Z0-9-]+$/.test(name)) problems.push(`attribute name "${name}" is not [A-Z0-9-]`);
    let value: string;
    let end: number;
    if (text[eq + 1] === '"') {
      const close = text.indexOf('"', eq + 2);
      if (close < 0) {
        problems.push(`${name}: unterminated quoted-string`);
        break;
      }
      value = text.slice(eq + 2, close);
      quoted.add(name);
      end = close + 1;
      if (end < text.length && text[end] !== ',') problems.push(`${name}: text after the closing quote`);
    } else {
      const comma = text.indexOf(',', eq + 1);
      end = comma < 0 ? text.length : comma;
      value = text.slice(eq + 1, end);
    }
    if (values.has(name)) problems.push(`attribute ${name} appears twice`);
    values.set(name, value);
    i = end + 1;
  }
  return { values, quoted, problems };
}

const PATTERNS: Record<Exclude<AttributeType, 'quoted'>, RegExp> = {
  integer: /^\d{1,20}$/,
  hex: /^0[xX][0-9A-Fa-f]+$/,
  float: /^\d+(\.\d+)?$/,
  'signed-float': /^-?\d+(\.\d+)?$/,
  enum: /^[^\s",]+$/,
  resolution: /^\d+x\d+$/,
};

/** Checks each present attribute against its expected type; returns problems like `BANDWIDTH: "1.5e6" is not a decimal-integer`. */
export function checkAttributeTypes(list: AttributeList, types: Record<string, AttributeType>): string[] {
  const problems: string[] = [];
  for (const [name, type] of Object.entries(types)) {
    const value = list.values.get(name);
    if (value === undefined) continue;
    if (type === 'quoted') {
      if (!list.quoted.has(name)) problems.push(`${name} must be a quoted-string`);
    } else if (list.quoted.has(name) || !PATTERNS[type].test(value)) {
      problems.push(`${name}: "${value}" is not a${type === 'integer' ? ' decimal-integer' : type === 'enum' ? 'n enumerated-string' : ` ${type}`}`);
    }
  }
  return problems;
}

/** Attribute types of the tags verify reads (RFC 8216 §4.3.4, §4.3.2.5, §4.3.2.2). */
export const ATTRIBUTE_TYPES = {
  'EXT-X-STREAM-INF': {
    BANDWIDTH: 'integer', 'AVERAGE-BANDWIDTH': 'integer', CODECS: 'quoted', RESOLUTION: 'resolution', 'FRAME-RATE': 'float',
    'HDCP-LEVEL': 'enum', AUDIO: 'quoted', VIDEO: 'quoted', SUBTITLES: 'quoted', 'VIDEO-RANGE': 'enum',
  },
  'EXT-X-I-FRAME-STREAM-INF': {
    BANDWIDTH: 'integer', 'AVERAGE-BANDWIDTH': 'integer', CODECS: 'quoted', RESOLUTION: 'resolution', 'HDCP-LEVEL': 'enum',
    VIDEO: 'quoted', URI: 'quoted', 'VIDEO-RANGE': 'enum',
  },
  'EXT-X-MEDIA': {
    TYPE: 'enum', URI: 'quoted', 'GROUP-ID': 'quoted', LANGUAGE: 'quoted', 'ASSOC-LANGUAGE': 'quoted', NAME: 'quoted',
    DEFAULT: 'enum', AUTOSELECT: 'enum', FORCED: 'enum', 'INSTREAM-ID': 'quoted', CHARACTERISTICS: 'quoted', CHANNELS: 'quoted',
  },
  'EXT-X-MAP': { URI: 'quoted', BYTERANGE: 'quoted' },
  'EXT-X-KEY': { METHOD: 'enum', URI: 'quoted', IV: 'hex', KEYFORMAT: 'quoted', KEYFORMATVERSIONS: 'quoted' },
} satisfies Record<string, Record<string, AttributeType>>;

/** `<n>[@<o>]` (RFC 8216 §4.3.2.2); undefined when malformed. */
export function parseByteRange(text: string): { length: number; offset: number | undefined } | undefined {
  const match = /^(\d+)(?:@(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  return { length: Number(match[1]), offset: match[2] === undefined ? undefined : Number(match[2]) };
}
