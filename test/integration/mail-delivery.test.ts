import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode } from '../helpers/api-client.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { startHeimdallProcess, tempDir } from '../helpers/heimdall-process.js';
import { createMailApp, type MailApp, PUBLIC_URL, post, stranger } from '../helpers/mail-app.js';
import { linkIn, tokenOf } from '../helpers/smtp-capture.js';
import { signedUpClient } from '../helpers/test-app.js';

const METRICS_TOKEN = 'metrics-token-metrics-token-metrics-token';
const ODIN = 'odin@asgard.example';

/** A TCP server that accepts connections and never says a word: a mail server that hangs. */
async function startSilentServer(): Promise<{ url: string; open: Set<Socket>; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    open,
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('mail delivery as the server runs it', () => {
  let m: MailApp | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await m?.stop();
    m = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('loses nothing when the mail server is down and Heimdall restarts before it is back', async () => {
    const dir = tempDir('heimdall-mail-restart-');
    cleanups.push(() => dir.remove());
    const env = { DATABASE_URL: `sqlite:${join(dir.dir, 'heimdall.db')}`, METRICS_TOKEN };
    m = await createMailApp(env);
    await m.smtp.down();
    await signedUpClient(m.app, ODIN);
    await post(stranger(m.app), '/api/auth/password/forgot', { email: ODIN });
    expect(await m.deliver()).toEqual([]);
    const metrics = await m.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.body).toMatch(/heimdall_mail_failures_total\{kind="verify_email"\} 1/);
    expect(metrics.body).toMatch(/heimdall_mail_failures_total\{kind="password_reset_link"\} 1/);
    expect(metrics.body).toMatch(/heimdall_mail_queue_waiting 2/);

    // Heimdall stops; the mail server comes back; a new Heimdall over the same database sends everything.
    const smtp = m.smtp;
    cleanups.push(() => smtp.down());
    await m.close();
    await smtp.up();
    m = await createMailApp(env, { clock: new FakeClock(m.clock.now() + 60_000) }, smtp);
    await m.services.mail.deliverDue();
    expect(smtp.messages.map((x) => x.kind).sort()).toEqual(['password_reset_link', 'verify_email']);
    const token = tokenOf(linkIn(smtp.only(ODIN, 'password_reset_link'), `${PUBLIC_URL}/reset-password?token=`));
    const reset = await post(stranger(m.app), '/api/auth/password/reset', {
      token,
      password: 'a passphrase after the outage',
    });
    expect(reset.statusCode).toBe(204);
  });

  it('answers at once while the worker waits on a mail server that never answers', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    m = await createMailApp({ SMTP_URL: silent.url });
    const log = { info() {}, warn() {} };
    m.services.startMailDelivery(log);
    expect((await stranger(m.app).register(ODIN)).statusCode).toBe(201);
    await expect.poll(() => silent.open.size, { timeout: 5_000 }).toBeGreaterThan(0);
    // A send is in flight and stuck: the API still answers, and never with an error from the mail server.
    expect((await stranger(m.app).register('thor@asgard.example')).statusCode).toBe(201);
    expect((await post(stranger(m.app), '/api/auth/password/forgot', { email: ODIN })).statusCode).toBe(202);
    expect(silent.open.size).toBeGreaterThan(0);
    expect(errorCode(await stranger(m.app).login(ODIN, 'wrong password here'))).toBe('invalid_credentials');
  });

  it('sends what is queued without waiting for its poll once the worker runs', async () => {
    m = await createMailApp();
    const warnings: string[] = [];
    m.services.startMailDelivery({ info() {}, warn: (_fields, message) => warnings.push(message) });
    await stranger(m.app).register(ODIN);
    const mail = await m.smtp.waitFor(ODIN, 'verify_email');
    expect(mail.subject).toMatch(/Confirm your email address/);
    expect(warnings).toEqual([]);
  });
});

describe('the zero-configuration start (no SMTP_URL)', () => {
  it('writes each message as an .eml file, 0600 in a 0700 outbox, and warns once at start', async () => {
    const dir = tempDir('heimdall-outbox-');
    const server = await startHeimdallProcess({ HEIMDALL_DATA_DIR: join(dir.dir, 'data') }, dir.dir);
    try {
      const warnings = server.output().match(/SMTP_URL is not set/g) ?? [];
      expect(warnings).toHaveLength(1);
      const registered = await fetch(`${server.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ email: ODIN, password: 'correct horse battery staple' }),
      });
      expect(registered.status).toBe(201);
      const outbox = join(dir.dir, 'data', 'outbox');
      await expect.poll(() => safeList(outbox).length, { timeout: 10_000 }).toBe(1);
      const [file] = safeList(outbox);
      expect(file).toMatch(/-verify_email\.eml$/);
      expect(statSync(outbox).mode & 0o777).toBe(0o700);
      expect(statSync(join(outbox, file!)).mode & 0o777).toBe(0o600);
      const parsed = await simpleParser(readFileSync(join(outbox, file!)));
      expect(parsed.subject).toBe('Confirm your email address — Heimdall');
      // HEIMDALL_PUBLIC_URL defaults to http://localhost:<PORT>; PORT=0 here, so only the path is checked.
      expect(parsed.text).toMatch(/http:\/\/localhost:\d+\/verify-email\?token=[A-Za-z0-9_-]{43}/);
      expect(String(parsed.html)).toContain('/verify-email?token=');
      expect((server.output().match(/SMTP_URL is not set/g) ?? []).length).toBe(1);
    } finally {
      await server.stop();
      dir.remove();
    }
  });
});

function safeList(directory: string): string[] {
  try {
    return readdirSync(directory).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
}
