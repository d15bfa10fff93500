import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, errorCode } from '../helpers/api-client.js';
import { createMailApp, type MailApp, PUBLIC_URL, post, stranger } from '../helpers/mail-app.js';
import { linkIn, urlsIn } from '../helpers/smtp-capture.js';
import { signedUpClient, TestClient } from '../helpers/test-app.js';

const ODIN = 'odin@asgard.example';
const NEW_ADDRESS = 'allfather@valhalla.example';

describe('email verification and change of email over real mail', () => {
  let m: MailApp;
  afterEach(async () => {
    await m?.stop();
  });

  const verify = (token: string, client = stranger(m.app)) => post(client, '/api/auth/email/verify', { token });

  it('registration mails a verification link; following it verifies the address, once', async () => {
    m = await createMailApp({ HEIMDALL_PRODUCT_NAME: 'Bifröst Auth' });
    const odin = await signedUpClient(m.app, ODIN);
    expect((await odin.get('/api/session')).json().user.emailVerified).toBe(false);
    await m.deliver();
    const mail = m.smtp.only(ODIN, 'verify_email');
    expect(mail.subject).toBe('Confirm your email address — Bifröst Auth');
    expect(mail.text).toContain('Bifröst Auth');
    expect(mail.text).toMatch(/works once, for 24 hours/);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const link = linkIn(mail, `${PUBLIC_URL}/verify-email?token=`);
    // Every link in the message is absolute, on the public origin, and the same in text and HTML.
    expect(urlsIn(mail)).toEqual([link, link, link]);

    // Opened where the mail is read: no session needed.
    const verified = await verify(new URL(link).searchParams.get('token')!);
    expect(verified.statusCode).toBe(200);
    expect(verified.json().user).toMatchObject({ email: ODIN, emailVerified: true });
    expect((await odin.get('/api/session')).json().user.emailVerified).toBe(true);
    const again = await verify(new URL(link).searchParams.get('token')!);
    expect(again.statusCode).toBe(400);
    expect(errorCode(again)).toBe('invalid_token');
  });

  it('answers 400 invalid_token for unknown, expired, malformed and reset tokens', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, ODIN);
    const token = await m.tokenFrom(ODIN, 'verify_email');
    await post(stranger(m.app), '/api/auth/password/forgot', { email: ODIN });
    const resetToken = await m.tokenFrom(ODIN, 'password_reset_link');
    for (const bad of ['B'.repeat(43), 'x', resetToken])
      expect(errorCode(await verify(bad)), bad).toBe('invalid_token');
    m.clock.advance(24 * 3_600_000);
    expect(errorCode(await verify(token))).toBe('invalid_token');
    const unknownField = await post(stranger(m.app), '/api/auth/email/verify', { token, extra: 1 });
    expect(errorCode(unknownField)).toBe('invalid_request');
  });

  it('resends a new link (the old one dies) within a budget per account, and nothing once verified', async () => {
    m = await createMailApp();
    const odin = await signedUpClient(m.app, ODIN);
    const first = await m.tokenFrom(ODIN, 'verify_email');
    const resent = await post(odin, '/api/auth/email/verify/resend');
    expect(resent.statusCode).toBe(202);
    expect(resent.json()).toEqual({});
    const second = await m.tokenFrom(ODIN, 'verify_email');
    expect(second).not.toBe(first);
    expect(errorCode(await verify(first))).toBe('invalid_token');
    for (let i = 0; i < 4; i++) {
      // A millisecond apart, so the messages (queued in order) arrive in order.
      m.clock.advance(1);
      expect((await post(odin, '/api/auth/email/verify/resend')).statusCode).toBe(202);
    }
    const limited = await post(odin, '/api/auth/email/verify/resend');
    expect(limited.statusCode).toBe(429);
    expect(errorCode(await post(stranger(m.app), '/api/auth/email/verify/resend'))).toBe('unauthenticated');

    const latest = await m.tokenFrom(ODIN, 'verify_email');
    expect((await verify(latest)).statusCode).toBe(200);
    m.clock.advance(3_600_000);
    await odin.login(ODIN);
    m.smtp.clear();
    expect((await post(odin, '/api/auth/email/verify/resend')).statusCode).toBe(202);
    expect(await m.deliver()).toEqual([]);
  });

  it('changes the address only through a link to the new one, then tells the old one, which loses its links', async () => {
    m = await createMailApp();
    const odin = await signedUpClient(m.app, ODIN);
    await m.deliver();
    await post(stranger(m.app), '/api/auth/password/forgot', { email: ODIN });
    const oldReset = await m.tokenFrom(ODIN, 'password_reset_link');

    const asked = await post(odin, '/api/account/email', { email: ' AllFather@Valhalla.example' });
    expect(asked.statusCode).toBe(202);
    expect((await odin.get('/api/session')).json().user.email).toBe(ODIN);
    const token = await m.tokenFrom(NEW_ADDRESS, 'change_email');
    expect(m.smtp.only(NEW_ADDRESS, 'change_email').text).toContain(NEW_ADDRESS);

    const confirmed = await verify(token);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json().user).toMatchObject({ email: NEW_ADDRESS, emailVerified: true });
    expect((await odin.get('/api/session')).json().user.email).toBe(NEW_ADDRESS);
    await m.deliver();
    const notice = m.smtp.only(ODIN, 'email_changed');
    expect(notice.text).toContain(NEW_ADDRESS);
    expect(urlsIn(notice)).toEqual([]);
    // A reset link sent to the old address no longer opens anything.
    expect(
      errorCode(
        await post(stranger(m.app), '/api/auth/password/reset', { token: oldReset, password: 'a new passphrase here' }),
      ),
    ).toBe('invalid_token');
    expect((await new TestClient(m.app).login(NEW_ADDRESS)).statusCode).toBe(200);
    expect((await new TestClient(m.app).login(ODIN)).statusCode).toBe(401);
  });

  it('refuses a malformed, unchanged or taken address, and needs a recent sign-in, never a Bearer token', async () => {
    m = await createMailApp();
    await signedUpClient(m.app, 'thor@asgard.example');
    const odin = await signedUpClient(m.app, ODIN);
    const ask = (email: string) => post(odin, '/api/account/email', { email });
    for (const bad of ['not-an-address', 'odin@', 'a@b', 'odin @asgard.example']) {
      const refused = await ask(bad);
      expect(refused.statusCode, bad).toBe(400);
      expect(errorCode(refused), bad).toBe('invalid_request');
    }
    expect(errorCode(await ask('ODIN@asgard.example'))).toBe('invalid_request');
    const taken = await ask('thor@asgard.example');
    expect(taken.statusCode).toBe(409);
    expect(errorCode(taken)).toBe('email_taken');

    const cli = new ApiClient(m.app);
    await cli.signIn(ODIN);
    const bearer = await cli.request({ method: 'POST', url: '/api/account/email', payload: { email: NEW_ADDRESS } });
    expect(bearer.statusCode).toBe(403);
    expect(errorCode(bearer)).toBe('reauthentication_required');

    m.clock.advance(10 * 60_000 + 1);
    await odin.get('/api/session');
    const stale = await ask(NEW_ADDRESS);
    expect(stale.statusCode).toBe(403);
    expect(errorCode(stale)).toBe('reauthentication_required');
    await m.deliver();
    expect(m.smtp.to(NEW_ADDRESS)).toEqual([]);
  });

  it('keeps the link usable and changes nothing when the new address was taken before it was followed', async () => {
    m = await createMailApp();
    const odin = await signedUpClient(m.app, ODIN);
    await post(odin, '/api/account/email', { email: NEW_ADDRESS });
    const token = await m.tokenFrom(NEW_ADDRESS, 'change_email');
    const squatter = await signedUpClient(m.app, NEW_ADDRESS);
    const refused = await verify(token);
    expect(refused.statusCode).toBe(409);
    expect(errorCode(refused)).toBe('email_taken');
    expect((await odin.get('/api/session')).json().user.email).toBe(ODIN);
    // The transaction rolled back: the link was not spent, and works once the address is free again.
    const squatterId = (await squatter.get('/api/session')).json().user.id;
    expect(squatterId).toBeTruthy();
    m.clock.advance(1_000);
    expect((await squatter.request({ method: 'DELETE', url: '/api/account' })).statusCode).toBe(204);
    expect((await verify(token)).json().user.email).toBe(NEW_ADDRESS);
  });
});
