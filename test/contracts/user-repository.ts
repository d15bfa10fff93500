import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EmailTokenStore, issueEmailToken } from '../../src/core/email-tokens.js';
import { generateUuidV7 } from '../../src/core/ids.js';
import type {
  CreateUserResult,
  GuardedUserWrite,
  ListUsersOptions,
  NewUser,
  User,
  UserRepository,
} from '../../src/core/user.js';
import { FakeClock } from '../helpers/fake-clock.js';

export interface UserRepositoryFixture {
  /** The repository under test, over a fresh, empty database: the first user it creates is the first ever. */
  repository: UserRepository;
  /**
   * Another writer to the same users, as a second instance or the CLI: an undecorated repository on a second
   * connection, or a second decorated instance with its own cache and Redis connection. Absent: `repository` itself.
   */
  otherWriter?: UserRepository;
  /**
   * How soon otherWriter's changes show through `repository`: on the very next read (SQL without a cache),
   * on the first read of a later task (SQLite's data_version, checked once per task: the other writer is another
   * process, and a request that starts after its commit sees it), or within a short bounded wait (Redis client
   * tracking pushes invalidations asynchronously). Default next-read.
   */
  coherence?: 'next-read' | 'next-task' | 'eventual';
  /**
   * What findById() gives in place of a password hash, where the repository documents that it never hands one out
   * (RedisUserCache shares no hashes); null stays null. findByEmail() always gives the hash.
   */
  maskedPasswordHash?: string;
  /** Email links in the same database (redeemEmailToken spends them with its change). */
  tokens: EmailTokenStore;
  cleanup(): Promise<void>;
}

/** Bounds the wait for an invalidation pushed by Redis: generous for a loaded machine, tiny for a working one. */
const EVENTUALLY = { timeout: 2_000, interval: 10 };

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';
const NEW_HASH = '$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdG5ld3NhbHQ$bmV3aGFzaG5ld2hhc2huZXc';

const byId = (user: User) => user.id;

/** What create() answers for an email that is already taken (typed, so a change of the port shows here). */
const EMAIL_TAKEN: CreateUserResult = { ok: false, code: 'email_taken' };

/**
 * The behaviour every UserRepository must have: SQL on SQLite and PostgreSQL, and each decorator over it (outage
 * proxy, in-process cache kept coherent by data_version or Redis tracking, Redis shared copy). Emails arrive
 * normalised (UserService's job); the repository stores and matches them exactly as given.
 */
export function describeUserRepositoryContract(name: string, setup: () => Promise<UserRepositoryFixture>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let fixture: UserRepositoryFixture;
    let users: UserRepository;
    let clock: FakeClock;
    let emails = 0;

    beforeEach(async () => {
      fixture = await setup();
      users = fixture.repository;
      clock = new FakeClock();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const newUser = (overrides: Partial<NewUser> = {}): NewUser => ({
      id: generateUuidV7(clock),
      // Digits only: a random address could contain the substrings the search tests look for.
      email: `user-${++emails}@example.test`,
      name: 'Odin',
      passwordHash: HASH,
      createdAt: clock.now(),
      ...overrides,
    });

    async function created(overrides: Partial<NewUser> = {}): Promise<User> {
      const result = await users.create(newUser(overrides));
      if (!result.ok) throw new Error(`setup: ${JSON.stringify(result)}`);
      return result.user;
    }

    /** The first user ever is the bootstrap admin: tests about ordinary accounts make it first and leave it be. */
    async function createdAfterAdmin(overrides: Partial<NewUser> = {}): Promise<User> {
      await created();
      return created(overrides);
    }

    /** The user a guarded write returns, or a failure naming its refusal. */
    function written(result: GuardedUserWrite): User {
      if (!result.ok) throw new Error(`refused: ${result.code}`);
      return result.user;
    }

    /** The record as findById() gives it: the same, with the hash masked where the fixture says so. */
    const asFoundById = (user: User): User =>
      fixture.maskedPasswordHash !== undefined && user.passwordHash !== null
        ? { ...user, passwordHash: fixture.maskedPasswordHash }
        : user;

    /** Reads until `read` gives `expected`: on the next read, or within a bounded wait for eventual coherence. */
    async function expectSeen(read: () => Promise<unknown>, expected: unknown): Promise<void> {
      if (fixture.coherence === 'eventual') return expect.poll(read, EVENTUALLY).toEqual(expected);
      if (fixture.coherence === 'next-task') await new Promise((resolve) => setImmediate(resolve));
      expect(await read()).toEqual(expected);
    }

    /** Every user list() yields for the options, following cursors; checks the paging on the way. */
    async function listAll(options: Omit<ListUsersOptions, 'cursor'>): Promise<User[]> {
      const listed: User[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await users.list(cursor === null ? options : { ...options, cursor });
        expect(page.users.length).toBeLessThanOrEqual(options.limit);
        listed.push(...page.users);
        if (page.nextCursor === null) return listed;
        // A page that promises another is full: no short pages in the middle of a listing.
        expect(page.users).toHaveLength(options.limit);
        cursor = page.nextCursor;
      }
      throw new Error('list() never returned a last page');
    }

    it('create() makes the very first user admin and everyone after a user', async () => {
      const first = await created();
      const second = await created();
      const third = await created();
      expect(first.roles).toEqual(['admin']);
      expect(second.roles).toEqual(['user']);
      expect(third.roles).toEqual(['user']);
      expect((await users.findById(first.id))?.roles).toEqual(['admin']);
      expect((await users.findById(second.id))?.roles).toEqual(['user']);
    });

    it('create() elects exactly one first admin when many sign up at once', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => users.create(newUser())));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(results.filter((r) => r.ok && r.user.roles.includes('admin'))).toHaveLength(1);
      expect(await users.countWithRole('admin')).toBe(1);
      expect(await users.countWithRole('user')).toBe(7);
    });

    it('create() returns the stored user field for field, and findById() and findByEmail() return the same', async () => {
      const input = newUser({ name: 'Odin Allfather ☃', createdAt: clock.now() + 123 });
      const expected: User = {
        id: input.id,
        email: input.email,
        name: 'Odin Allfather ☃',
        roles: ['admin'],
        passwordHash: HASH,
        disabled: false,
        emailVerified: false,
        secondFactors: [],
        sessionVersion: 0,
        createdAt: input.createdAt,
        updatedAt: input.createdAt,
      };
      expect(await users.create(input)).toEqual({ ok: true, user: expected });
      expect(await users.findById(input.id)).toEqual(asFoundById(expected));
      expect(await users.findById(input.id)).toEqual(asFoundById(expected));
      expect(await users.findByEmail(input.email)).toEqual(expected);
    });

    it('keeps an account without a password as one without a password', async () => {
      const user = await created({ passwordHash: null });
      expect(user.passwordHash).toBeNull();
      expect((await users.findById(user.id))?.passwordHash).toBeNull();
      expect((await users.findByEmail(user.email))?.passwordHash).toBeNull();
    });

    it('returns null for unknown users, and finds a user created after such a miss', async () => {
      const input = newUser();
      expect(await users.findById(input.id)).toBeNull();
      expect(await users.findByEmail(input.email)).toBeNull();
      const user = await created(input);
      expect(await users.findById(input.id)).toEqual(asFoundById(user));
      expect(await users.findByEmail(input.email)).toEqual(user);
    });

    it('create() refuses a taken email with email_taken and leaves nothing behind', async () => {
      const first = await created();
      const second = newUser({ email: first.email, name: 'Loki' });
      expect(await users.findById(second.id)).toBeNull();
      expect(await users.create(second)).toEqual(EMAIL_TAKEN);
      expect(await users.findById(second.id)).toBeNull();
      expect(await users.findByEmail(first.email)).toEqual(first);
      expect((await listAll({ limit: 10 })).map(byId)).toEqual([first.id]);
      expect(await users.countWithRole('user')).toBe(0);
      // The first user's claim to admin was not lost to the failed insert either.
      expect((await created()).roles).toEqual(['user']);
    });

    it('list() pages through every user exactly once, whatever the page size', async () => {
      const all: User[] = [];
      for (let i = 0; i < 7; i++) {
        clock.advance(1_000);
        all.push(await created());
      }
      const ids = all.map(byId).sort();
      for (const limit of [1, 2, 3, 7, 8, 50]) {
        const listed = (await listAll({ limit })).map(byId);
        expect(new Set(listed).size, `limit ${limit}`).toBe(listed.length);
        expect(listed.sort(), `limit ${limit}`).toEqual(ids);
      }
    });

    it('list() filters by a case-insensitive substring of email or name across pages, wildcards taken literally', async () => {
      const thor = await created({ name: 'Thor Odinson' });
      const thora = await created({ name: 'thora' });
      const valkyrie = await created({ name: 'Brynhild', email: 'valkyrie@asgard.test' });
      const sure = await created({ name: '100%_sure' });
      await created({ name: 'Loki' });
      const search = async (query: string, limit: number) => (await listAll({ query, limit })).map(byId).sort();
      for (const limit of [1, 2, 10]) {
        expect(await search('THOR', limit)).toEqual([thor.id, thora.id].sort());
        expect(await search('Valkyr', limit)).toEqual([valkyrie.id]);
        expect(await search('%_', limit)).toEqual([sure.id]);
        expect(await search('_', limit)).toEqual([sure.id]);
        expect(await search('%', limit)).toEqual([sure.id]);
        expect(await search('nobody-is-called-this', limit)).toEqual([]);
      }
    });

    it('setRoles() replaces the role set and returns the updated user; findById() and list() see it at once', async () => {
      const admin = await created();
      clock.advance(1_000);
      const user = await created();
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      clock.advance(60_000);
      const updated = await users.setRoles(user.id, ['god', 'user'], clock.now());
      const expected = { ...user, roles: ['god', 'user'], updatedAt: clock.now() };
      expect(updated).toEqual({ ok: true, user: expected });
      expect(await users.findById(user.id)).toEqual(asFoundById(expected));
      expect((await users.list({ limit: 10 })).users).toEqual([admin, expected]);
      clock.advance(60_000);
      expect(await users.setRoles(user.id, [], clock.now())).toEqual({
        ok: true,
        user: { ...expected, roles: [], updatedAt: clock.now() },
      });
      expect((await users.findById(user.id))?.roles).toEqual([]);
      expect(await users.countWithRole('god')).toBe(0);
    });

    it('setPassword() sets the hash and bumps sessionVersion in one write; every read sees both at once', async () => {
      const user = await created();
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      clock.advance(60_000);
      const changed = await users.setPassword(user.id, NEW_HASH, clock.now());
      const expected = { ...user, passwordHash: NEW_HASH, sessionVersion: 1, updatedAt: clock.now() };
      expect(changed).toEqual(expected);
      expect(await users.findById(user.id)).toEqual(asFoundById(expected));
      expect(await users.findByEmail(user.email)).toEqual(expected);
    });

    it('setPassword() gives a password to an account that had none', async () => {
      const user = await created({ passwordHash: null });
      expect(await users.findById(user.id)).toEqual(user);
      const changed = await users.setPassword(user.id, NEW_HASH, clock.now());
      expect(changed).toMatchObject({ passwordHash: NEW_HASH, sessionVersion: 1 });
      expect(await users.findById(user.id)).toEqual(asFoundById(changed!));
      expect((await users.findByEmail(user.email))?.passwordHash).toBe(NEW_HASH);
    });

    it('bumpSessionVersion() increments the version each time; findById() sees every bump at once', async () => {
      const user = await created();
      for (let version = 1; version <= 3; version++) {
        expect((await users.findById(user.id))?.sessionVersion).toBe(version - 1);
        clock.advance(1_000);
        const bumped = await users.bumpSessionVersion(user.id, clock.now());
        expect(bumped).toEqual({ ...user, sessionVersion: version, updatedAt: clock.now() });
        expect(await users.findById(user.id)).toEqual(asFoundById(bumped!));
      }
    });

    it('update() changes name, verification and second factors in one write; reads see it at once', async () => {
      const user = await created({ emailVerified: true });
      expect(user).toMatchObject({ emailVerified: true, secondFactors: [], disabled: false });
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      clock.advance(60_000);
      const changes = {
        name: 'Odin One-Eye',
        emailVerified: false,
        secondFactors: ['totp' as const, 'passkey' as const],
      };
      const updated = await users.update(user.id, changes, clock.now());
      const expected = { ...user, ...changes, updatedAt: clock.now() };
      expect(updated).toEqual(expected);
      expect(await users.findById(user.id)).toEqual(asFoundById(expected));
      expect(await users.findByEmail(user.email)).toEqual(expected);
      expect((await users.list({ limit: 10 })).users).toEqual([expected]);
    });

    it('setDisabled() disables with a session-version bump in one write, and enables without one', async () => {
      const user = await createdAfterAdmin();
      clock.advance(60_000);
      const disabled = written(await users.setDisabled(user.id, true, clock.now()));
      expect(disabled).toEqual({ ...user, disabled: true, sessionVersion: 1, updatedAt: clock.now() });
      expect(await users.findById(user.id)).toEqual(asFoundById(disabled));
      clock.advance(1_000);
      const enabled = written(await users.setDisabled(user.id, false, clock.now()));
      expect(enabled).toEqual({ ...disabled, disabled: false, updatedAt: clock.now() });
      expect(await users.findById(user.id)).toEqual(asFoundById(enabled));
      expect(await users.findByEmail(user.email)).toEqual(enabled);
    });

    it('delete() removes the account for every read, and answers not_found the second time', async () => {
      const user = await createdAfterAdmin();
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      expect(await users.delete(user.id)).toEqual({ ok: true, user });
      expect(await users.findById(user.id)).toBeNull();
      expect(await users.findByEmail(user.email)).toBeNull();
      expect((await users.list({ limit: 10 })).users.map(byId)).not.toContain(user.id);
      expect(await users.delete(user.id)).toEqual({ ok: false, code: 'not_found' });
      // The address is free again.
      expect((await users.create(newUser({ email: user.email }))).ok).toBe(true);
    });

    it('refuses to demote, disable or delete the last active admin, and changes nothing when it does', async () => {
      const admin = await created();
      const refused = { ok: false, code: 'last_admin' };
      expect(await users.setRoles(admin.id, ['user'], clock.now())).toEqual(refused);
      expect(await users.setRoles(admin.id, [], clock.now())).toEqual(refused);
      expect(await users.setDisabled(admin.id, true, clock.now())).toEqual(refused);
      expect(await users.delete(admin.id)).toEqual(refused);
      expect(await users.findById(admin.id)).toEqual(asFoundById(admin));
      // Keeping admin among other roles is no demotion.
      expect(written(await users.setRoles(admin.id, ['admin', 'god'], clock.now())).roles).toEqual(['admin', 'god']);
    });

    it('lets an admin go while another active admin remains, and counts a disabled admin as none', async () => {
      const first = await created();
      const second = await created();
      written(await users.setRoles(second.id, ['admin'], clock.now()));
      // Two active admins: either may go, but not both.
      written(await users.setDisabled(second.id, true, clock.now()));
      expect(await users.setRoles(first.id, ['user'], clock.now())).toEqual({ ok: false, code: 'last_admin' });
      expect(await users.delete(first.id)).toEqual({ ok: false, code: 'last_admin' });
      // A disabled admin may be demoted or deleted freely: it is not an active admin.
      expect(written(await users.setRoles(second.id, ['user'], clock.now())).roles).toEqual(['user']);
      written(await users.setRoles(second.id, ['admin'], clock.now()));
      expect((await users.delete(second.id)).ok).toBe(true);
      // Enabling is never refused; once enabled, the other admin may go.
      const third = await created();
      written(await users.setRoles(third.id, ['admin'], clock.now()));
      written(await users.setDisabled(third.id, true, clock.now()));
      written(await users.setDisabled(third.id, false, clock.now()));
      expect((await users.setRoles(first.id, ['user'], clock.now())).ok).toBe(true);
    });

    it('redeemEmailToken() spends the token and applies its effect in one write; every read sees it at once', async () => {
      const admin = await created();
      const user = await created();
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      const link = issueEmailToken(
        { purpose: 'reset_password', userId: user.id, email: user.email, ttlMs: 60_000 },
        clock,
      );
      await fixture.tokens.insert(link.token);
      clock.advance(1_000);
      const redemption = {
        tokenHash: link.token.tokenHash,
        purposes: ['reset_password' as const],
        now: clock.now(),
        effect: { passwordHash: NEW_HASH, verifyEmail: true },
      };
      const redeemed = await users.redeemEmailToken(user.id, redemption);
      const expected = {
        ...user,
        passwordHash: NEW_HASH,
        emailVerified: true,
        sessionVersion: 1,
        updatedAt: clock.now(),
      };
      expect(redeemed).toEqual({ ok: true, user: expected, token: link.token });
      expect(await users.findById(user.id)).toEqual(asFoundById(expected));
      expect(await users.findByEmail(user.email)).toEqual(expected);
      // Once only, and never for another purpose or another account.
      expect(await users.redeemEmailToken(user.id, redemption)).toEqual({ ok: false, code: 'invalid_token' });
      expect(await fixture.tokens.find(link.token.tokenHash)).toBeNull();
      const other = issueEmailToken(
        { purpose: 'verify_email', userId: user.id, email: user.email, ttlMs: 60_000 },
        clock,
      );
      await fixture.tokens.insert(other.token);
      const wrong = { ...redemption, tokenHash: other.token.tokenHash };
      expect(await users.redeemEmailToken(user.id, wrong)).toEqual({ ok: false, code: 'invalid_token' });
      expect(await users.redeemEmailToken(admin.id, { ...wrong, purposes: ['verify_email'] })).toEqual({
        ok: false,
        code: 'invalid_token',
      });
      expect(await users.findById(user.id)).toEqual(asFoundById(expected));
    });

    it('redeemEmailToken() takes a new address, refuses a taken one without spending the link, and drops stale links', async () => {
      const user = await createdAfterAdmin();
      const taken = await created();
      const change = issueEmailToken(
        { purpose: 'change_email', userId: user.id, email: taken.email, ttlMs: 60_000 },
        clock,
      );
      const reset = issueEmailToken(
        { purpose: 'reset_password', userId: user.id, email: user.email, ttlMs: 60_000 },
        clock,
      );
      for (const link of [change, reset]) await fixture.tokens.insert(link.token);
      const redemption = {
        tokenHash: change.token.tokenHash,
        purposes: ['change_email' as const],
        now: clock.now(),
        effect: { takeEmail: true, verifyEmail: true },
      };
      expect(await users.redeemEmailToken(user.id, redemption)).toEqual({ ok: false, code: 'email_taken' });
      expect(await fixture.tokens.find(change.token.tokenHash)).toEqual(change.token);
      expect((await users.findById(user.id))?.email).toBe(user.email);
      // Once the address is free, the same link works, and the reset link sent to the old address dies with it.
      expect((await users.delete(taken.id)).ok).toBe(true);
      const moved = await users.redeemEmailToken(user.id, redemption);
      expect(moved).toMatchObject({ ok: true, user: { email: taken.email, emailVerified: true, sessionVersion: 0 } });
      expect(await users.findById(user.id)).toMatchObject({ email: taken.email, emailVerified: true });
      expect(await fixture.tokens.find(reset.token.tokenHash)).toBeNull();
    });

    it('redeemEmailToken() refuses an expired token, and one sent to an address the account no longer has', async () => {
      const user = await createdAfterAdmin();
      const expired = issueEmailToken(
        { purpose: 'verify_email', userId: user.id, email: user.email, ttlMs: 1_000 },
        clock,
      );
      const elsewhere = issueEmailToken(
        { purpose: 'verify_email', userId: user.id, email: 'previous@example.test', ttlMs: 60_000 },
        clock,
      );
      for (const link of [expired, elsewhere]) await fixture.tokens.insert(link.token);
      clock.advance(1_000);
      for (const link of [expired, elsewhere]) {
        const result = await users.redeemEmailToken(user.id, {
          tokenHash: link.token.tokenHash,
          purposes: ['verify_email'],
          now: clock.now(),
          effect: { verifyEmail: true },
        });
        expect(result).toEqual({ ok: false, code: 'invalid_token' });
      }
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
    });

    it('changes to an unknown user return null and create nobody', async () => {
      const ghost = newUser();
      const notFound = { ok: false, code: 'not_found' };
      expect(await users.setRoles(ghost.id, ['god'], clock.now())).toEqual(notFound);
      expect(await users.setRoles(ghost.id, ['admin'], clock.now())).toEqual(notFound);
      expect(await users.setDisabled(ghost.id, true, clock.now())).toEqual(notFound);
      expect(await users.setDisabled(ghost.id, false, clock.now())).toEqual(notFound);
      expect(await users.delete(ghost.id)).toEqual(notFound);
      expect(await users.setPassword(ghost.id, NEW_HASH, clock.now())).toBeNull();
      expect(await users.bumpSessionVersion(ghost.id, clock.now())).toBeNull();
      expect(await users.update(ghost.id, { name: 'Nobody' }, clock.now())).toBeNull();
      expect(await users.findById(ghost.id)).toBeNull();
      expect(await users.countWithRole('god')).toBe(0);
      // Nobody was created, so the first user is still to come.
      expect(await users.create(ghost)).toMatchObject({ ok: true, user: { roles: ['admin'] } });
    });

    it('countWithRole() counts exact holders only: no substrings, no LIKE wildcards', async () => {
      await created();
      const holders = [['god'], ['godlike'], ['god_mode'], ['godxmode', 'user'], ['demigod'], ['god', 'user']];
      for (const roles of holders) {
        const user = await created();
        written(await users.setRoles(user.id, roles, clock.now()));
      }
      expect(await users.countWithRole('god')).toBe(2);
      expect(await users.countWithRole('god_mode')).toBe(1);
      expect(await users.countWithRole('user')).toBe(2);
      expect(await users.countWithRole('admin')).toBe(1);
      expect(await users.countWithRole('go')).toBe(0);
    });

    it('updatedAt follows every change while createdAt never moves', async () => {
      const user = await createdAfterAdmin();
      const steps = [
        async () => written(await users.setRoles(user.id, ['god'], clock.now())),
        async () => written(await users.setDisabled(user.id, true, clock.now())),
        () => users.setPassword(user.id, NEW_HASH, clock.now()),
        () => users.bumpSessionVersion(user.id, clock.now()),
      ];
      for (const step of steps) {
        clock.advance(3_600_000);
        expect(await step()).toMatchObject({ createdAt: user.createdAt, updatedAt: clock.now() });
        expect(await users.findById(user.id)).toMatchObject({ createdAt: user.createdAt, updatedAt: clock.now() });
      }
    });

    it('a read racing a change never leaves the old record to be served after the change', async () => {
      const user = await createdAfterAdmin();
      for (let round = 0; round < 10; round++) {
        await users.findById(user.id);
        clock.advance(1_000);
        const [, changed] = await Promise.all([
          users.findById(user.id),
          users.setRoles(user.id, [`role-${round}`], clock.now()),
          users.findById(user.id),
        ]);
        expect(await users.findById(user.id)).toEqual(asFoundById(written(changed)));
        expect(await users.findById(user.id)).toEqual(asFoundById(written(changed)));
      }
    });

    it('a read racing a deletion never leaves the deleted record to be served after it', async () => {
      await created();
      for (let round = 0; round < 5; round++) {
        const user = await created();
        await users.findById(user.id);
        const [, deleted] = await Promise.all([
          users.findById(user.id),
          users.delete(user.id),
          users.findById(user.id),
        ]);
        expect(deleted.ok).toBe(true);
        expect(await users.findById(user.id)).toBeNull();
      }
    });

    it('a change made by another writer shows through findById(), findByEmail(), list() and countWithRole()', async () => {
      const writer = fixture.otherWriter ?? users;
      const user = await created();
      // Read twice, so that a caching repository holds the record before it changes elsewhere.
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      expect(await users.findById(user.id)).toEqual(asFoundById(user));
      clock.advance(1_000);
      const promoted = written(await writer.setRoles(user.id, ['admin', 'god'], clock.now()));
      expect(promoted).toEqual({ ...user, roles: ['admin', 'god'], updatedAt: clock.now() });
      await expectSeen(() => users.findById(user.id), asFoundById(promoted));
      await expectSeen(() => users.countWithRole('god'), 1);
      await expectSeen(async () => (await users.list({ limit: 10, query: 'odin' })).users, [promoted]);
      clock.advance(1_000);
      const bumped = await writer.bumpSessionVersion(user.id, clock.now());
      await expectSeen(() => users.findById(user.id), asFoundById(bumped!));
      clock.advance(1_000);
      const changed = await writer.setPassword(user.id, NEW_HASH, clock.now());
      expect(changed).toMatchObject({ passwordHash: NEW_HASH, sessionVersion: 2 });
      await expectSeen(() => users.findById(user.id), asFoundById(changed!));
      await expectSeen(() => users.findByEmail(user.email), changed);
    });

    it('a user created by another writer is found, listed and counted here', async () => {
      const writer = fixture.otherWriter ?? users;
      const first = await created();
      const input = newUser();
      expect(await users.findById(input.id)).toBeNull();
      const result = await writer.create(input);
      if (!result.ok) throw new Error('setup');
      expect(result.user.roles).toEqual(['user']);
      await expectSeen(() => users.findById(input.id), asFoundById(result.user));
      await expectSeen(() => users.findByEmail(input.email), result.user);
      await expectSeen(async () => (await listAll({ limit: 1 })).map(byId).sort(), [first.id, input.id].sort());
      await expectSeen(() => users.countWithRole('user'), 1);
      expect(await users.create(newUser({ email: input.email }))).toEqual(EMAIL_TAKEN);
    });
  });
}
