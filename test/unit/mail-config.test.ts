import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createMailTransport } from '../../src/mail/mail-transports.js';
import { configProblems } from '../helpers/config-problems.js';

describe('mail settings', () => {
  it('default to the outbox, 24 h verification links, 30 min reset links and 7 day invitations', () => {
    const config = loadConfig({});
    expect(config.mail).toEqual({
      smtpUrl: null,
      from: null,
      productName: 'Heimdall',
      emailTokenTtlMs: 86_400_000,
      passwordResetTtlMs: 30 * 60_000,
      invitationTtlMs: 7 * 86_400_000,
    });
    expect(config.limits).toMatchObject({ passwordResetIp: 20, passwordResetEmail: 3 });
  });

  it('take smtp:// and smtps:// URLs, an address or a named address, and durations within bounds', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:secret@mail.example.com:465',
      MAIL_FROM: 'Asgard Accounts <accounts@asgard.example>',
      HEIMDALL_PRODUCT_NAME: ' Bifröst ',
      EMAIL_TOKEN_TTL: '2d',
      PASSWORD_RESET_TTL: '15m',
      INVITATION_TTL: '30d',
      PASSWORD_RESET_LIMIT_IP: '50',
      PASSWORD_RESET_LIMIT_EMAIL: '5',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://user:secret@mail.example.com:465',
      from: 'Asgard Accounts <accounts@asgard.example>',
      productName: 'Bifröst',
      emailTokenTtlMs: 2 * 86_400_000,
      passwordResetTtlMs: 15 * 60_000,
      invitationTtlMs: 30 * 86_400_000,
    });
    expect(config.limits).toMatchObject({ passwordResetIp: 50, passwordResetEmail: 5 });
    expect(loadConfig({ MAIL_FROM: 'accounts@asgard.example' }).mail.from).toBe('accounts@asgard.example');
  });

  it('refuse other schemes, header injection in MAIL_FROM, and durations out of bounds, one line each', () => {
    expect(
      configProblems({
        SMTP_URL: 'http://mail.example.com',
        MAIL_FROM: 'a@b.example\r\nBcc: everyone@example.com',
        HEIMDALL_PRODUCT_NAME: '<b>x</b>',
        EMAIL_TOKEN_TTL: '1m',
        PASSWORD_RESET_TTL: '2d',
        INVITATION_TTL: '90d',
      }),
    ).toEqual([
      'SMTP_URL="http://mail.example.com" is not valid: expected smtp://[user:pass@]host[:port] or smtps://….',
      'MAIL_FROM="a@b.example\\r\\nBcc: everyone@example.com" is not valid: expected an address, e.g. "Heimdall <auth@example.com>".',
      'HEIMDALL_PRODUCT_NAME="<b>x</b>" is not valid: expected a name of up to 60 characters without < > or line breaks.',
      'EMAIL_TOKEN_TTL="1m" is not valid: expected seconds or a number with s, m, h or d (e.g. 30m), from 5m to 30d.',
      'PASSWORD_RESET_TTL="2d" is not valid: expected seconds or a number with s, m, h or d (e.g. 30m), from 5m to 1d.',
      'INVITATION_TTL="90d" is not valid: expected seconds or a number with s, m, h or d (e.g. 30m), from 30m to 30d.',
    ]);
    expect(configProblems({ MAIL_FROM: 'Name <broken' })).toHaveLength(1);
    expect(configProblems({ MAIL_FROM: 'not an address' })).toHaveLength(1);
  });

  it('choose the outbox with a warning without SMTP_URL, and never show SMTP credentials', () => {
    const outbox = createMailTransport({
      smtpUrl: null,
      from: null,
      productName: 'Heimdall',
      dataDir: '/var/lib/heimdall',
      publicUrl: 'https://auth.example.com',
    });
    expect(outbox.transport.description).toBe('outbox /var/lib/heimdall/outbox');
    expect(outbox.warning).toMatch(/^SMTP_URL is not set: .* \/var\/lib\/heimdall\/outbox /);
    const smtp = createMailTransport({
      smtpUrl: 'smtp://user:hunter2@mail.example.com:587',
      from: null,
      productName: 'Heimdall',
      dataDir: '/var/lib/heimdall',
      publicUrl: 'https://auth.example.com',
    });
    expect(smtp.warning).toBeNull();
    expect(smtp.transport.description).toBe('SMTP smtp://mail.example.com:587');
  });
});
