import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/redact-url.js';

describe('redactUrl', () => {
  it('hides user:password of a parsable URL', () => {
    expect(redactUrl('amqp://guest:guest@127.0.0.1:5672/vh')).toBe('amqp://***@127.0.0.1:5672/vh');
    expect(redactUrl('http://AKIAEXAMPLE:secret@127.0.0.1:9000')).toBe('http://***@127.0.0.1:9000');
  });

  it('hides a secret holding "/", "?", "#" or "@" that makes the URL unparsable', () => {
    for (const secret of ['abc/def', 'a/b/c+d', 'x?y=z', 'p#q', 'a@b/c']) {
      const shown = redactUrl(`http://AKIAEXAMPLE:${secret}@127.0.0.1:9000/base`);
      expect(shown).toBe('http://***@127.0.0.1:9000/base');
      expect(shown).not.toContain('AKIAEXAMPLE');
    }
  });

  it('hides credentials in a value without a scheme', () => {
    expect(redactUrl('AKIAEXAMPLE:abc/def@s3.example.com')).toBe('***@s3.example.com');
  });

  it('leaves a URL without credentials as it is', () => {
    for (const url of ['http://127.0.0.1:9000', 'https://s3.eu-west-1.amazonaws.com/path', 'not a url', '']) expect(redactUrl(url)).toBe(url);
  });
});
