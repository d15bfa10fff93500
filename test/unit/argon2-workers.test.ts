import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Argon2Hasher } from '../../src/core/passwords.js';
import { Argon2WorkerHasher } from '../../src/hashing/argon2-workers.js';

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

/**
 * The nice value of every live thread of this process, by thread id (`/proc/self/task/<tid>/stat`, field 19). A
 * thread that exits while it is read (a worker of an earlier test still winding down) is left out.
 */
function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nices.set(tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // exited between the listing and the read
    }
  }
  return nices;
}

describe('Argon2WorkerHasher', () => {
  let hasher: Argon2WorkerHasher | undefined;
  afterEach(async () => {
    await hasher?.close();
    hasher = undefined;
  });

  it('hashes argon2id in worker threads, verifies only the right password, and agrees with the async hasher', async () => {
    hasher = new Argon2WorkerHasher(CHEAP, { threads: 2 });
    const hash = await hasher.hash('purple elephants dance');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify(hash, 'purple elephants dance')).toBe(true);
    expect(await hasher.verify(hash, 'purple elephants dancE')).toBe(false);
    const other = await new Argon2Hasher(CHEAP).hash('ﬁne caﬀeine');
    expect(await hasher.verify(other, 'fine caffeine')).toBe(true);
  });

  it('verifies nothing against a malformed hash and spends a dummy verify', async () => {
    hasher = new Argon2WorkerHasher(CHEAP, { threads: 1 });
    expect(await hasher.verify('not-a-hash', 'anything')).toBe(false);
    await expect(hasher.verifyDummy('anything')).resolves.toBeUndefined();
  });

  it('runs more requests than threads, each answered with its own result', async () => {
    hasher = new Argon2WorkerHasher(CHEAP, { threads: 2 });
    const passwords = Array.from({ length: 7 }, (_, i) => `password number ${i}`);
    const hashes = await Promise.all(passwords.map((p) => (hasher as Argon2WorkerHasher).hash(p)));
    const checks = await Promise.all(hashes.map((h, i) => (hasher as Argon2WorkerHasher).verify(h, passwords[i]!)));
    expect(checks).toEqual(passwords.map(() => true));
    const crossed = await hasher.verify(hashes[0]!, passwords[1]!);
    expect(crossed).toBe(false);
  });

  it.runIf(process.platform === 'linux')('lowers only its workers to nice 19, not the event loop', async () => {
    const before = threadNices();
    hasher = new Argon2WorkerHasher(CHEAP, { threads: 2 });
    await Promise.all([hasher.hash('one password here'), hasher.hash('two passwords here')]);
    const after = threadNices();
    // Counted by thread id: the threads that are new since `before` and niced are this hasher's two workers (a
    // worker of an earlier test may still be exiting, so a count over all threads would race with it).
    const newlyNiced = [...after].filter(([tid, nice]) => !before.has(tid) && nice === 19);
    expect(newlyNiced).toHaveLength(2);
    const renicedOld = [...after].filter(([tid, nice]) => before.has(tid) && before.get(tid) !== nice);
    expect(renicedOld).toEqual([]);
    const main = readFileSync('/proc/self/stat', 'utf8');
    expect(Number(main.slice(main.lastIndexOf(')') + 2).split(' ')[16])).toBe(0);
  });

  it('refuses work after close', async () => {
    hasher = new Argon2WorkerHasher(CHEAP, { threads: 1 });
    await hasher.close();
    await expect(hasher.hash('too late for this')).rejects.toThrow(/closed/);
  });
});
