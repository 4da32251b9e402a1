/**
 * The one place a URL is made safe to print (errors, logs, --json): whatever sits between `//` and the
 * last `@` is user:password and becomes `***`. Works on strings that are not valid URLs too: an AWS secret
 * holding `/` makes `http://KEY:abc/def@host` unparsable, and that is exactly when it must not leak.
 */

/** `scheme://user:secret@host/path` → `scheme://***@host/path`; a value without credentials is unchanged. */
export function redactUrl(value: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  const start = scheme ? scheme[0].length : 0;
  const at = value.lastIndexOf('@');
  // Everything up to the last `@` goes: a secret may itself hold `/`, `?`, `#` or `@` (unencoded).
  if (at < start) return value;
  return `${value.slice(0, start)}***${value.slice(at)}`;
}
