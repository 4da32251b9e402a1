/**
 * Which webhook targets a worker may call. By default only http(s) to public addresses: never loopback,
 * private, link-local (cloud metadata at 169.254.169.254), CGNAT, multicast or reserved ranges, in IPv4,
 * IPv6 or IPv4-mapped IPv6. The check runs on the address the connection actually uses (see webhook.ts),
 * so a name that resolves to an internal address, or re-resolves to one later, is refused too.
 * `--webhook-allow` names hosts or CIDR ranges that are allowed anyway.
 */
import { BlockList, isIP } from 'node:net';
import { UsageError } from '../errors.js';

const internal = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) internal.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) internal.addSubnet(net, prefix, 'ipv6');

/** An IPv4 address hidden in IPv6 (::ffff:a.b.c.d, ::a.b.c.d), or undefined. */
function embeddedIpv4(address: string): string | undefined {
  const match = /^::(?:ffff:(?:0:)?)?((?:\d+\.){3}\d+)$/i.exec(address);
  if (match) return match[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const a = parseInt(hex[1]!, 16);
    const b = parseInt(hex[2]!, 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return undefined;
}

/** Whether `address` (an IP literal) is loopback, private, link-local or otherwise not public. */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0]!;
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, 'ipv4');
  if (family === 6) {
    const v4 = embeddedIpv4(bare);
    if (v4 !== undefined) return internal.check(v4, 'ipv4');
    return internal.check(bare, 'ipv6');
  }
  return true;
}

export interface WebhookPolicy {
  /** Host names allowed as written in the URL (lower case). */
  hosts: Set<string>;
  /** Address ranges allowed (from CIDRs or IP literals). */
  ranges: BlockList;
}

/** Parses `--webhook-allow host,10.0.0.0/8,127.0.0.1`. */
export function parseWebhookAllow(text: string | undefined): WebhookPolicy {
  const policy: WebhookPolicy = { hosts: new Set(), ranges: new BlockList() };
  for (const item of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [net, bits] = item.split('/');
    const family = isIP(net!.replace(/^\[|\]$/g, ''));
    if (family) {
      const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new UsageError(`--webhook-allow: "${item}" is not a CIDR range`);
      policy.ranges.addSubnet(net!.replace(/^\[|\]$/g, ''), prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (bits === undefined && /^[a-z0-9.-]+$/i.test(item)) {
      policy.hosts.add(item.toLowerCase());
    } else {
      throw new UsageError(`--webhook-allow: "${item}" is neither a host name nor a CIDR range`);
    }
  }
  return policy;
}

/** Whether the connection may go to `address` for a URL whose host is `hostname`. */
export function addressAllowed(address: string, hostname: string, policy: WebhookPolicy): boolean {
  if (policy.hosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, ''))) return true;
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family && policy.ranges.check(bare, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const v4 = family === 6 ? embeddedIpv4(bare) : undefined;
  if (v4 && policy.ranges.check(v4, 'ipv4')) return true;
  return !isInternalAddress(bare);
}

/**
 * Checks a webhook URL before any connection: http(s) only, no user:password. The WHATWG parser has
 * already turned decimal, octal and hex IPv4 forms into dotted quads, so a literal is checked here.
 * Returns the parsed URL; throws a message for anything refused.
 */
export function checkWebhookUrl(text: string, policy: WebhookPolicy): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.protocol} is not http(s)`);
  if (url.username || url.password) throw new Error('user:password in a webhook URL is refused');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !addressAllowed(host, host, policy)) throw new Error(`${host} is an internal address (allow it with --webhook-allow)`);
  return url;
}
