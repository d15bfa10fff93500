import { describe, expect, it } from 'vitest';
import { keyFamily } from '../../src/stores/redis/key-family.js';
import { sessionIdKey, tokenHashOfKey, userIdOfIndexKey } from '../../src/stores/redis/redis-session-store.js';
import { presenceKey } from '../../src/stores/redis/redis-stream-presence.js';
import { userIdOfKey } from '../../src/stores/redis/redis-user-cache.js';

describe('keyFamily', () => {
  it('reads the tag back out of its own keys and leaves every other key as it is', () => {
    const sessions = keyFamily('hd:s:');
    expect(sessions.key('abc')).toBe('hd:s:{abc}');
    expect(sessions.tagOf(sessions.key('abc'))).toBe('abc');
    for (const other of ['hd:sid:{abc}', 'hd:us:{abc}', 'hd:s:abc', 'abc']) expect(sessions.tagOf(other)).toBe(other);
  });

  it('the session, index and user families do not read each other’s keys', () => {
    const id = '01a21293-b600-7435-9401-b6f511834086';
    expect(tokenHashOfKey(`hd:s:{hash}`)).toBe('hash');
    expect(userIdOfIndexKey(`hd:us:{${id}}`)).toBe(id);
    expect(userIdOfKey(`hd:u:{${id}}`)).toBe(id);
    expect(userIdOfKey(`hd:us:{${id}}`)).toBe(`hd:us:{${id}}`);
    expect(userIdOfIndexKey(`hd:u:{${id}}`)).toBe(`hd:u:{${id}}`);
    expect(tokenHashOfKey(`hd:sid:{${id}}`)).toBe(`hd:sid:{${id}}`);
    // Every key family names its keys as DESIGN.md does (the id index and stream presence build theirs the same way).
    expect(sessionIdKey('abc')).toBe('hd:sid:{abc}');
    expect(presenceKey(id)).toBe(`hd:sp:{${id}}`);
  });
});
