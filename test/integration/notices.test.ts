import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NoticeKind } from '../../src/core/notices.js';
import { createMailApp, type MailApp, post } from '../helpers/mail-app.js';
import { urlsIn } from '../helpers/smtp-capture.js';
import { PASSWORD, signedUpClient, TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

describe('notices to account owners over real mail', () => {
  let m: MailApp;
  beforeEach(async () => {
    m = await createMailApp();
  });
  afterEach(async () => {
    await m.stop();
  });

  it('tells the owner of a sign-in from a new device, once per device, and not for the first one', async () => {
    await signedUpClient(m.app, ODIN);
    await m.deliver();
    expect(m.smtp.to(ODIN, 'new_device')).toEqual([]);
    const elsewhere = new TestClient(m.app);
    elsewhere.userAgent = FIREFOX_ON_WINDOWS;
    expect((await elsewhere.login(ODIN)).statusCode).toBe(200);
    expect((await elsewhere.login(ODIN)).statusCode).toBe(200);
    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(200);
    await m.deliver();
    const notice = m.smtp.only(ODIN, 'new_device');
    expect(notice.subject).toBe('Sign-in from a new device — Heimdall');
    expect(notice.text).toContain('Firefox on Windows');
    expect(notice.text).toContain('127.0.0.1');
    expect(urlsIn(notice)).toEqual([]);
  });

  it('tells the owner when the password changes', async () => {
    const odin = await signedUpClient(m.app, ODIN);
    const changed = await post(odin, '/api/auth/password', {
      currentPassword: PASSWORD,
      newPassword: 'another long passphrase',
    });
    expect(changed.statusCode).toBe(200);
    await m.deliver();
    const notice = m.smtp.only(ODIN, 'password_changed');
    expect(notice.text).toContain('The password of your account was changed.');
    expect(notice.text).toMatch(/not through a link in an email/);
    expect(urlsIn(notice)).toEqual([]);
  });

  it('sends every kind of notice other services raise as plain facts, with no link, to the right address', async () => {
    const odin = await signedUpClient(m.app, ODIN);
    const userId = (await odin.get('/api/session')).json().user.id as string;
    await m.deliver();
    const kinds: [NoticeKind, Record<string, string>, RegExp][] = [
      ['second_factor_added', { factor: 'TOTP' }, /A second factor \(TOTP\) was added/],
      ['second_factor_removed', { factor: 'TOTP' }, /A second factor \(TOTP\) was removed/],
      ['passkey_added', { name: 'YubiKey' }, /A passkey named "YubiKey" was added/],
      ['passkey_removed', { name: 'YubiKey' }, /A passkey named "YubiKey" was removed/],
      ['recovery_codes_regenerated', {}, /New recovery codes were made/],
      ['identity_linked', { provider: 'Test IdP' }, /through Test IdP/],
      ['sessions_revoked_by_anomaly', { countries: 'DE, FR, US', revoked: '3' }, /\(DE, FR, US\)/],
    ];
    for (const [kind, details] of kinds) await m.services.notifier.notify({ kind, userId, details });
    await m.services.notifier.notify({
      kind: 'email_changed',
      userId,
      details: { previousEmail: 'old@asgard.example', newEmail: ODIN },
    });
    // A notice about an account that no longer exists is dropped, not an error.
    await m.services.notifier.notify({ kind: 'password_changed', userId: 'no-such-user' });
    await m.deliver();
    for (const [kind, , says] of kinds) {
      const notice = m.smtp.only(ODIN, kind);
      expect(notice.text, kind).toMatch(says);
      expect(notice.subject, kind).toMatch(/ — Heimdall$/);
      expect(urlsIn(notice), kind).toEqual([]);
    }
    const moved = m.smtp.only('old@asgard.example', 'email_changed');
    expect(moved.text).toContain(`changed to ${ODIN}`);
    expect(moved.text).not.toContain('previousEmail');
  });

  it('escapes what users typed in the HTML part (a name is never markup)', async () => {
    const mallory = new TestClient(m.app);
    const name = '<img src=x onerror=alert(1)> & "friends"';
    expect((await mallory.register('mallory@asgard.example', PASSWORD, { name })).statusCode).toBe(201);
    await m.deliver();
    const mail = m.smtp.only('mallory@asgard.example', 'verify_email');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&#60;img src=x onerror=alert(1)&#62; &#38; &#34;friends&#34;');
    expect(mail.text).toContain(`Hello ${name},`);
  });
});
