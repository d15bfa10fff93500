import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailDeliveryObserver, MailMessage } from '../../src/core/mail.js';
import { DEFAULT_RETRY_POLICY, MAIL_LEASE_MS, MailOutbox } from '../../src/core/mail-outbox.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { SmtpMailTransport } from '../../src/mail/smtp-transport.js';
import type { SqlDatabase } from '../../src/stores/sql/database.js';
import { SqlMailQueue } from '../../src/stores/sql/sql-mail-queue.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { SmtpCapture } from '../helpers/smtp-capture.js';
import { DIALECT_LABELS, DIALECTS } from '../helpers/sql-dialects.js';
import { type TwoConnections, useTwoConnections } from '../helpers/two-connections.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';
const FROM = '"Heimdall" <no-reply@auth.example.test>';

function message(n: number, to = `user-${n}@asgard.example`): MailMessage {
  return {
    to,
    subject: `Message ${n}`,
    text: `Hello ${n}: https://auth.example.test/x?token=t${n}`,
    html: `<p>${n}</p>`,
  };
}

const openTwoConnections = useTwoConnections();

for (const dialect of DIALECTS) {
  describe(`the mail queue on ${DIALECT_LABELS[dialect]}, drained over real SMTP`, () => {
    let smtp: SmtpCapture;
    let connections: TwoConnections;
    let clock: FakeClock;

    beforeAll(async () => {
      smtp = await SmtpCapture.start();
    });
    afterAll(async () => {
      await smtp.down();
    });
    afterEach(async () => {
      await smtp.up();
      smtp.clear();
      await connections?.close();
    });

    async function outboxes() {
      connections = await openTwoConnections(dialect);
      clock = new FakeClock();
      const tally = {
        sent: [] as string[],
        failed: [] as { attempts: number; retryAt: number }[],
        dropped: [] as string[],
      };
      const observer: MailDeliveryObserver = {
        sent: (mail) => tally.sent.push(mail.id),
        failed: (mail, _error, retryAt) => tally.failed.push({ attempts: mail.attempts, retryAt }),
        dropped: (_mail, reason) => tally.dropped.push(reason),
      };
      const over = (database: SqlDatabase, secret = SECRET) =>
        new MailOutbox({
          queue: new SqlMailQueue(database.db),
          transport: new SmtpMailTransport(smtp.url, FROM, 'auth.example.test'),
          box: new SecretBox(secret, 'mail-queue'),
          clock,
          observer,
        });
      return { a: over(connections.database), b: over(connections.other), tally, over };
    }

    it('sends what was queued once, with a plain-text part, HTML and machine-sent headers, and keeps nothing', async () => {
      const { a, tally } = await outboxes();
      await a.enqueue('verify_email', message(1), { userId: null });
      // Ids are UUIDv7: messages queued in different milliseconds go out in that order.
      clock.advance(1);
      await a.enqueue('new_device', message(2), { userId: null });
      expect(await a.countWaiting()).toBe(2);
      expect(await a.deliverDue()).toEqual({ sent: 2, failed: 0, dropped: 0 });
      expect(await a.deliverDue()).toEqual({ sent: 0, failed: 0, dropped: 0 });
      expect(smtp.messages.map((m) => [m.to, m.kind, m.subject])).toEqual([
        [['user-1@asgard.example'], 'verify_email', 'Message 1'],
        [['user-2@asgard.example'], 'new_device', 'Message 2'],
      ]);
      const first = smtp.messages[0]!;
      expect(first.text.trim()).toBe(message(1).text);
      expect(first.html).toContain('<p>1</p>');
      expect(first.from).toBe('no-reply@auth.example.test');
      expect(first.parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(String(first.parsed.messageId)).toMatch(/@auth\.example\.test>$/);
      expect(tally.sent).toHaveLength(2);
      expect(await a.countWaiting()).toBe(0);
    });

    it('keeps messages sealed at rest: the queue holds no link, and another secret cannot open them', async () => {
      const { a, tally, over } = await outboxes();
      await a.enqueue('password_reset_link', message(3), { userId: null });
      const rows = await connections.database.db.selectFrom('mail_queue').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain('token=t3');
      expect(JSON.stringify(rows)).not.toContain('user-3@');
      const other = over(connections.other, 'another-secret-another-secret-another-0');
      expect(await other.deliverDue()).toEqual({ sent: 0, failed: 0, dropped: 1 });
      expect(tally.dropped).toEqual(['unreadable']);
      expect(smtp.messages).toEqual([]);
    });

    it('with the mail server down, keeps every message and retries with doubling delays up to a cap, then sends them all', async () => {
      const { a, tally } = await outboxes();
      await smtp.down();
      for (let n = 0; n < 3; n++) await a.enqueue('verify_email', message(n), { userId: null });
      const start = clock.now();
      expect(await a.deliverDue()).toEqual({ sent: 0, failed: 3, dropped: 0 });
      expect(tally.failed.map((f) => [f.attempts, f.retryAt - start])).toEqual([
        [1, 10_000],
        [1, 10_000],
        [1, 10_000],
      ]);
      // Not due before its time.
      clock.advance(9_999);
      expect(await a.deliverDue()).toEqual({ sent: 0, failed: 0, dropped: 0 });
      const delays: number[] = [];
      for (let attempt = 2; attempt <= 9; attempt++) {
        const due = Math.max(...tally.failed.slice(-3).map((f) => f.retryAt));
        clock.advance(due - clock.now());
        const before = clock.now();
        expect((await a.deliverDue()).failed).toBe(3);
        delays.push(tally.failed.at(-1)!.retryAt - before);
      }
      expect(delays).toEqual([20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 900_000, 900_000]);
      expect(await a.countWaiting()).toBe(3);
      const rows = await connections.database.db.selectFrom('mail_queue').select(['attempts', 'last_error']).execute();
      expect(rows.map((r) => Number(r.attempts))).toEqual([9, 9, 9]);
      expect(rows[0]?.last_error).toMatch(/ECONNREFUSED/);

      await smtp.up();
      clock.advance(DEFAULT_RETRY_POLICY.maxDelayMs);
      expect(await a.deliverDue()).toEqual({ sent: 3, failed: 0, dropped: 0 });
      expect(smtp.messages.map((m) => m.subject).sort()).toEqual(['Message 0', 'Message 1', 'Message 2']);
    });

    it('lets several instances drain one queue at once and sends each message exactly once', async () => {
      const { a, b } = await outboxes();
      for (let n = 0; n < 30; n++) await (n % 2 ? a : b).enqueue('verify_email', message(n), { userId: null });
      const reports = await Promise.all([a.deliverDue(), b.deliverDue(), a.deliverDue(), b.deliverDue()]);
      expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(30);
      expect(smtp.messages).toHaveLength(30);
      expect(new Set(smtp.messages.map((m) => m.subject)).size).toBe(30);
    });

    it('sends a message another instance claimed and never finished once that instance’s lease runs out', async () => {
      const { a, b } = await outboxes();
      await a.enqueue('verify_email', message(7), { userId: null });
      // An instance claims it, then dies before sending.
      const crashed = new SqlMailQueue(connections.other.db);
      const now = clock.now();
      expect(await crashed.claim({ now, owner: 'crashed', leaseUntil: now + MAIL_LEASE_MS, limit: 10 })).toHaveLength(
        1,
      );
      expect(await b.deliverDue()).toEqual({ sent: 0, failed: 0, dropped: 0 });
      clock.advance(MAIL_LEASE_MS + 1);
      expect(await b.deliverDue()).toEqual({ sent: 1, failed: 0, dropped: 0 });
      expect(smtp.messages.map((m) => m.subject)).toEqual(['Message 7']);
    });

    it('drops a message whose link died before it could be sent, and one still failing after three days', async () => {
      const { a, tally } = await outboxes();
      await smtp.down();
      await a.enqueue('password_reset_link', message(8), { userId: null, expiresAt: clock.now() + 30 * 60_000 });
      await a.enqueue('new_device', message(9), { userId: null });
      await a.deliverDue();
      clock.advance(30 * 60_000);
      await a.deliverDue();
      expect(tally.dropped).toEqual(['expired']);
      for (let day = 0; day < 3 * 24 * 4; day++) {
        clock.advance(DEFAULT_RETRY_POLICY.maxDelayMs);
        await a.deliverDue();
      }
      expect(tally.dropped).toEqual(['expired', 'gave_up']);
      expect(await a.countWaiting()).toBe(0);
    });
  });
}
