import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createMailApp, type MailApp, PUBLIC_URL, post, stranger } from '../helpers/mail-app.js';
import { linkIn } from '../helpers/smtp-capture.js';
import { PASSWORD, signedUpClient, type TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';

describe('accounts over their whole life: invitations, disabling, enabling, deleting', () => {
  let m: MailApp;
  let admin: TestClient;
  let adminId: string;

  beforeEach(async () => {
    m = await createMailApp();
    admin = await signedUpClient(m.app, 'admin@asgard.example');
    adminId = (await admin.get('/api/session')).json().user.id;
  });
  afterEach(async () => {
    await m.stop();
  });

  const idOf = async (client: TestClient) => (await client.get('/api/session')).json().user.id as string;
  const auditOf = async (userId: string) =>
    (await admin.get(`/api/admin/audit?userId=${userId}`)).json().events as { type: string; details: object }[];
  const invite = (body: Record<string, unknown>) => post(admin, '/api/admin/users', body);

  describe('invitations', () => {
    it('creates the account and mails a set-password link that lives 7 days; following it verifies the address', async () => {
      const invited = await invite({ email: 'Frigg@Asgard.example', name: 'Frigg' });
      expect(invited.statusCode).toBe(201);
      expect(invited.json().user).toMatchObject({
        email: 'frigg@asgard.example',
        name: 'Frigg',
        roles: ['user'],
        emailVerified: false,
        disabled: false,
      });
      await m.deliver();
      const mail = m.smtp.only('frigg@asgard.example', 'invitation');
      expect(mail.text).toMatch(/works once, for 7 days/);
      const link = linkIn(mail, `${PUBLIC_URL}/reset-password?token=`);
      // No password yet: nobody can sign in until the link is followed.
      expect((await stranger(m.app).login('frigg@asgard.example', PASSWORD)).statusCode).toBe(401);
      m.clock.advance(7 * 86_400_000 - 1);
      const token = new URL(link).searchParams.get('token')!;
      const set = await post(stranger(m.app), '/api/auth/password/reset', {
        token,
        password: 'frigg’s own passphrase',
      });
      expect(set.statusCode).toBe(204);
      const signedIn = await stranger(m.app).login('frigg@asgard.example', 'frigg’s own passphrase');
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json().user.emailVerified).toBe(true);
      await admin.login('admin@asgard.example');
      expect((await auditOf(invited.json().user.id)).map((e) => e.type)).toEqual(
        expect.arrayContaining(['account.invited', 'password.reset', 'auth.login']),
      );
    });

    it('an invitation link dies after INVITATION_TTL', async () => {
      await invite({ email: 'frigg@asgard.example' });
      const token = await m.tokenFrom('frigg@asgard.example', 'invitation');
      m.clock.advance(7 * 86_400_000);
      const refused = await post(stranger(m.app), '/api/auth/password/reset', {
        token,
        password: 'too late a passphrase',
      });
      expect(errorCode(refused)).toBe('invalid_token');
    });

    it('refuses a taken or malformed address and unknown fields; granting roles beyond user needs a recent sign-in', async () => {
      await signedUpClient(m.app, ODIN);
      expect(errorCode(await invite({ email: 'ODIN@asgard.example' }))).toBe('email_taken');
      expect(errorCode(await invite({ email: 'no address' }))).toBe('invalid_request');
      expect(errorCode(await invite({ email: 'x@asgard.example', password: 'no' }))).toBe('invalid_request');
      expect(errorCode(await invite({ email: 'x@asgard.example', roles: ['Not A Role'] }))).toBe('invalid_request');
      m.clock.advance(10 * 60_000 + 1);
      await admin.get('/api/session');
      expect(errorCode(await invite({ email: 'thor@asgard.example', roles: ['admin'] }))).toBe(
        'reauthentication_required',
      );
      expect((await invite({ email: 'thor@asgard.example' })).statusCode).toBe(201);
      await admin.login('admin@asgard.example');
      const granted = await invite({ email: 'tyr@asgard.example', roles: ['admin', 'god'] });
      expect(granted.json().user.roles).toEqual(['admin', 'god']);
    });

    it('is for admins only', async () => {
      const odin = await signedUpClient(m.app, ODIN);
      expect(errorCode(await post(odin, '/api/admin/users', { email: 'x@asgard.example' }))).toBe('forbidden');
      expect(errorCode(await post(odin, `/api/admin/users/${adminId}/disable`))).toBe('forbidden');
      expect(errorCode(await odin.request({ method: 'DELETE', url: `/api/admin/users/${adminId}` }))).toBe('forbidden');
    });
  });

  describe('disabling and enabling', () => {
    it('cuts every session and token family at once; the right password then gets 403 account_disabled, a wrong one 401', async () => {
      const odin = await signedUpClient(m.app, ODIN);
      const odinId = await idOf(odin);
      const cli = new ApiClient(m.app);
      await cli.signIn(ODIN);
      const disabled = await post(admin, `/api/admin/users/${odinId}/disable`);
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json().user).toMatchObject({ id: odinId, disabled: true });
      expect((await odin.get('/api/session')).statusCode).toBe(401);
      expect((await cli.get('/api/session')).statusCode).toBe(401);
      expect(errorCode(await cli.refresh())).toBe('unauthenticated');

      const wrong = await stranger(m.app).login(ODIN, 'not the password at all');
      expect(wrong.statusCode).toBe(401);
      expect(errorCode(wrong)).toBe('invalid_credentials');
      const right = await stranger(m.app).login(ODIN);
      expect(right.statusCode).toBe(403);
      expect(errorCode(right)).toBe('account_disabled');
      expect(errorCode(await new ApiClient(m.app).signIn(ODIN))).toBe('account_disabled');
      expect(right.headers['set-cookie']).toBeUndefined();

      const enabled = await post(admin, `/api/admin/users/${odinId}/enable`);
      expect(enabled.json().user.disabled).toBe(false);
      // Sessions ended by the disabling stay ended; a new sign-in works.
      expect((await odin.get('/api/session')).statusCode).toBe(401);
      expect((await stranger(m.app).login(ODIN)).statusCode).toBe(200);
      expect((await auditOf(odinId)).map((e) => e.type)).toEqual(
        expect.arrayContaining(['account.disabled', 'account.enabled', 'session.revoked']),
      );
    });

    it('answers 404 for an unknown user, and needs a recent sign-in to disable, never a Bearer token', async () => {
      expect(errorCode(await post(admin, '/api/admin/users/no-such-user/disable'))).toBe('not_found');
      expect(errorCode(await post(admin, '/api/admin/users/no-such-user/enable'))).toBe('not_found');
      const odinId = await idOf(await signedUpClient(m.app, ODIN));
      const cli = new ApiClient(m.app);
      await cli.signIn('admin@asgard.example');
      expect(errorCode(await cli.request({ method: 'POST', url: `/api/admin/users/${odinId}/disable` }))).toBe(
        'reauthentication_required',
      );
      m.clock.advance(10 * 60_000 + 1);
      await admin.get('/api/session');
      expect(errorCode(await post(admin, `/api/admin/users/${odinId}/disable`))).toBe('reauthentication_required');
      expect((await stranger(m.app).login(ODIN)).statusCode).toBe(200);
    });
  });

  describe('deleting', () => {
    it('an admin deletes an account: sessions, token families and the account go; the audit log keeps the events without the email', async () => {
      const odin = await signedUpClient(m.app, ODIN);
      const odinId = await idOf(odin);
      const cli = new ApiClient(m.app);
      await cli.signIn(ODIN);
      await post(odin, '/api/account/email', { email: 'allfather@valhalla.example' });
      const deleted = await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}` });
      expect(deleted.statusCode).toBe(204);
      expect((await odin.get('/api/session')).statusCode).toBe(401);
      expect((await cli.get('/api/session')).statusCode).toBe(401);
      expect(errorCode(await cli.refresh())).toBe('unauthenticated');
      expect((await admin.get(`/api/admin/users/${odinId}/sessions`)).statusCode).toBe(404);
      expect(errorCode(await admin.request({ method: 'DELETE', url: `/api/admin/users/${odinId}` }))).toBe('not_found');
      // The change-of-email link queued for it died with it.
      await m.deliver();
      expect(m.smtp.to('allfather@valhalla.example')).toEqual([]);

      const events = await auditOf(odinId);
      expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['auth.register', 'account.deleted']));
      expect(JSON.stringify(events)).not.toContain('odin@');
      // The address is free for a new account.
      expect((await stranger(m.app).register(ODIN)).statusCode).toBe(201);
    });

    it('a user deletes their own account with a recent sign-in; the cookie is cleared', async () => {
      const odin = await signedUpClient(m.app, ODIN);
      m.clock.advance(10 * 60_000 + 1);
      await odin.get('/api/session');
      const stale = await odin.request({ method: 'DELETE', url: '/api/account' });
      expect(errorCode(stale)).toBe('reauthentication_required');
      await odin.login(ODIN);
      const deleted = await odin.request({ method: 'DELETE', url: '/api/account' });
      expect(deleted.statusCode).toBe(204);
      expect(String(deleted.headers['set-cookie'])).toMatch(/^__Host-heimdall=;/);
      expect((await stranger(m.app).login(ODIN)).statusCode).toBe(401);
      expect(errorCode(await stranger(m.app).request({ method: 'DELETE', url: '/api/account' }))).toBe(
        'unauthenticated',
      );
    });
  });

  describe('the last active admin', () => {
    it('cannot be demoted, disabled or deleted (409 invalid_request), by itself or through any route', async () => {
      const attempts = [
        () => admin.request({ method: 'PUT', url: `/api/admin/users/${adminId}/roles`, payload: { roles: ['user'] } }),
        () => post(admin, `/api/admin/users/${adminId}/disable`),
        () => admin.request({ method: 'DELETE', url: `/api/admin/users/${adminId}` }),
        () => admin.request({ method: 'DELETE', url: '/api/account' }),
      ];
      for (const attempt of attempts) {
        const refused = await attempt();
        expect(refused.statusCode).toBe(409);
        expect(refused.json().error).toMatchObject({
          code: 'invalid_request',
          message: expect.stringMatching(/admin/),
        });
      }
      const me = (await admin.get('/api/session')).json().user;
      expect(me).toMatchObject({ roles: ['admin'], disabled: false });
    });

    it('may go once another admin is active, and a disabled admin does not count', async () => {
      const thor = await signedUpClient(m.app, 'thor@asgard.example');
      const thorId = await idOf(thor);
      await admin.request({ method: 'PUT', url: `/api/admin/users/${thorId}/roles`, payload: { roles: ['admin'] } });
      expect((await post(admin, `/api/admin/users/${thorId}/disable`)).statusCode).toBe(200);
      expect((await post(admin, `/api/admin/users/${adminId}/disable`)).statusCode).toBe(409);
      await post(admin, `/api/admin/users/${thorId}/enable`);
      expect((await admin.request({ method: 'DELETE', url: '/api/account' })).statusCode).toBe(204);
    });
  });
});
