import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/core/secret-box.js';

const SECRET = 'a-heimdall-secret-of-at-least-32-characters';

describe('SecretBox', () => {
  it('opens what it sealed, for the same context', () => {
    const box = new SecretBox(SECRET, 'signing-keys');
    const sealed = box.seal('{"d":"private"}', 'kid-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private');
    expect(box.open(sealed, 'kid-1')).toBe('{"d":"private"}');
  });

  it('uses a fresh IV each time, so equal plaintexts never look equal', () => {
    const box = new SecretBox(SECRET, 'signing-keys');
    expect(box.seal('same', 'kid')).not.toBe(box.seal('same', 'kid'));
  });

  it('opens nothing sealed under another secret, purpose or context', () => {
    const sealed = new SecretBox(SECRET, 'signing-keys').seal('secret', 'kid-1');
    expect(new SecretBox(`${SECRET}-other`, 'signing-keys').open(sealed, 'kid-1')).toBeNull();
    expect(new SecretBox(SECRET, 'something-else').open(sealed, 'kid-1')).toBeNull();
    // A sealed private key copied onto another key's row does not open there.
    expect(new SecretBox(SECRET, 'signing-keys').open(sealed, 'kid-2')).toBeNull();
  });

  it('detects any alteration of the sealed value', () => {
    const box = new SecretBox(SECRET, 'signing-keys');
    const [format, iv, body, tag] = box.seal('secret value', 'kid').split('.');
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    expect(box.open([format, iv, flip(body!), tag].join('.'), 'kid')).toBeNull();
    expect(box.open([format, flip(iv!), body, tag].join('.'), 'kid')).toBeNull();
    expect(box.open([format, iv, body, flip(tag!)].join('.'), 'kid')).toBeNull();
    expect(box.open([format, iv, body, tag!.slice(0, 8)].join('.'), 'kid')).toBeNull();
    expect(box.open('v2.x.y.z', 'kid')).toBeNull();
    expect(box.open('garbage', 'kid')).toBeNull();
  });

  it('refuses a short secret', () => {
    expect(() => new SecretBox('short', 'signing-keys')).toThrow(TypeError);
  });
});
