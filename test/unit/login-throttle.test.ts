import { describe, expect, it } from 'vitest';
import { clientKey } from '../../src/core/login-throttle.js';

describe('clientKey()', () => {
  it('counts an IPv4 address as itself, and an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
  });

  it('counts every address of one IPv6 /64 as one client, so rotating the interface id does not escape limits', () => {
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });

  it('leaves anything that is not an IP address unchanged', () => {
    expect(clientKey('unknown')).toBe('unknown');
  });
});
