import { describe, expect, it } from 'vitest';
import { addressAllowed, checkWebhookUrl, isInternalAddress, parseWebhookAllow } from '../../src/worker/webhook-target.js';

const none = parseWebhookAllow(undefined);

describe('webhook targets', () => {
  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified and IPv4-mapped IPv6', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '[::1]']) {
      expect(isInternalAddress(address), address).toBe(true);
    }
  });

  it('allows public addresses', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isInternalAddress(address), address).toBe(false);
  });

  it('normalises decimal, octal and hex IPv4 through the URL parser, then refuses them', () => {
    for (const url of ['http://2130706433/', 'http://0177.0.0.1/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/', 'http://[::1]:8080/x', 'http://169.254.169.254/latest/meta-data']) {
      expect(() => checkWebhookUrl(url, none), url).toThrow(/internal address/);
    }
  });

  it('refuses user:password URLs and other schemes', () => {
    expect(() => checkWebhookUrl('http://user:pass@example.com/hook', none)).toThrow(/user:password/);
    expect(() => checkWebhookUrl('file:///etc/passwd', none)).toThrow(/not http/);
    expect(() => checkWebhookUrl('gopher://example.com/', none)).toThrow(/not http/);
    expect(checkWebhookUrl('https://example.com/hook', none).hostname).toBe('example.com');
  });

  it('--webhook-allow permits named hosts and CIDR ranges, nothing more', () => {
    const policy = parseWebhookAllow('127.0.0.1, 10.0.0.0/8,hooks.internal');
    expect(checkWebhookUrl('http://127.0.0.1:9/x', policy).port).toBe('9');
    expect(addressAllowed('10.20.30.40', 'build.example', policy)).toBe(true);
    expect(addressAllowed('192.168.1.1', 'hooks.internal', policy)).toBe(true);
    expect(addressAllowed('192.168.1.1', 'other.internal', policy)).toBe(false);
    expect(addressAllowed('127.0.0.2', '127.0.0.2', policy)).toBe(false);
    expect(() => parseWebhookAllow('10.0.0.0/40')).toThrow(/CIDR/);
    expect(() => parseWebhookAllow('not a host!')).toThrow(/neither/);
  });
});
