import type { EmailTokenPurpose } from './email-tokens.js';
import type { MessageContent } from './mail-templates.js';
import { describeDuration } from './mail-templates.js';
import type { Notice, NoticeKind } from './notices.js';

export interface LinkMessageInput {
  product: string;
  name: string;
  url: string;
  ttlMs: number;
  /** The new address, for a change of email. */
  email: string;
}

const NOT_YOU = 'If you did not ask for this, ignore this message: nothing changes until the link is followed.';

/** Messages that carry a link: confirm an address, set a password. */
export function linkMessage(purpose: EmailTokenPurpose, input: LinkMessageInput): MessageContent {
  const greeting = `Hello ${input.name},`;
  const lives = `The link works once, for ${describeDuration(input.ttlMs)}.`;
  switch (purpose) {
    case 'verify_email':
      return {
        subject: 'Confirm your email address',
        greeting,
        paragraphs: [`Please confirm that ${input.email} is the address of your ${input.product} account.`],
        action: { label: 'Confirm this address', url: input.url },
        closing: [lives, 'If you did not create this account, ignore this message.'],
      };
    case 'change_email':
      return {
        subject: 'Confirm your new email address',
        greeting,
        paragraphs: [
          `Your ${input.product} account asked to use ${input.email} as its address from now on.`,
          'Your address changes once you confirm it here.',
        ],
        action: { label: 'Use this address', url: input.url },
        closing: [lives, NOT_YOU],
      };
    case 'reset_password':
      return {
        subject: 'Reset your password',
        greeting,
        paragraphs: [`Someone asked to reset the password of your ${input.product} account (${input.email}).`],
        action: { label: 'Choose a new password', url: input.url },
        closing: [
          lives,
          'Choosing a new password signs you out everywhere. A second factor, if you use one, is still asked at sign-in.',
          NOT_YOU,
        ],
      };
    case 'invitation':
      return {
        subject: 'You are invited',
        greeting,
        paragraphs: [
          `An administrator made you an account on ${input.product}, under ${input.email}.`,
          'Choose a password to start using it.',
        ],
        action: { label: 'Choose a password', url: input.url },
        closing: [lives, 'If you did not expect this, ignore this message.'],
      };
  }
}

const SIGN_IN_YOURSELF =
  'If this was not you, sign in the way you usually do (not through a link in an email), change your password and review your devices.';

/** What each notice says. Notices never carry a link: a message that asks to sign in through it is what phishing looks like. */
const NOTICES: Record<NoticeKind, { subject: string; says: (d: Record<string, string>) => string }> = {
  password_changed: { subject: 'Your password was changed', says: () => 'The password of your account was changed.' },
  password_reset: {
    subject: 'Your password was reset',
    says: () => 'The password of your account was reset through a link sent to this address; every session was ended.',
  },
  second_factor_added: {
    subject: 'A second factor was added',
    says: (d) => `A second factor${d.factor ? ` (${d.factor})` : ''} was added to your account.`,
  },
  second_factor_removed: {
    subject: 'A second factor was removed',
    says: (d) => `A second factor${d.factor ? ` (${d.factor})` : ''} was removed from your account.`,
  },
  passkey_added: {
    subject: 'A passkey was added',
    says: (d) => `A passkey${d.name ? ` named "${d.name}"` : ''} was added to your account.`,
  },
  passkey_removed: {
    subject: 'A passkey was removed',
    says: (d) => `A passkey${d.name ? ` named "${d.name}"` : ''} was removed from your account.`,
  },
  recovery_codes_regenerated: {
    subject: 'New recovery codes',
    says: () => 'New recovery codes were made for your account; the old ones no longer work.',
  },
  identity_linked: {
    subject: 'A sign-in provider was linked',
    says: (d) => `Your account can now be signed in to through ${d.provider ?? 'a third-party provider'}.`,
  },
  email_changed: {
    subject: 'Your email address was changed',
    says: (d) =>
      `Your account's email address was changed${d.newEmail ? ` to ${d.newEmail}` : ''}. This address no longer receives its mail.`,
  },
  new_device: {
    subject: 'Sign-in from a new device',
    says: (d) =>
      `Your account was signed in to from a device it had not used before: ${d.device ?? 'an unknown device'}${
        d.ip ? `, address ${d.ip}` : ''
      }${d.country ? ` (${d.country})` : ''}.`,
  },
  sessions_revoked_by_anomaly: {
    subject: 'You were signed out everywhere',
    says: (d) =>
      `Your account was in use from unusually many countries${d.countries ? ` (${d.countries})` : ''} at once, so every session was ended.`,
  },
};

/** A notice: plain facts, when it happened, and what to do if it was not the owner. */
export function noticeMessage(product: string, name: string, notice: Notice, at: string): MessageContent {
  const content = NOTICES[notice.kind];
  return {
    subject: content.subject,
    greeting: `Hello ${name},`,
    paragraphs: [content.says(notice.details ?? {}), `When: ${at}.`],
    closing: [
      notice.kind === 'sessions_revoked_by_anomaly'
        ? 'Sign in again the way you usually do. If the other countries were not you, change your password.'
        : SIGN_IN_YOURSELF,
      `This is an automatic security notice from ${product}.`,
    ],
  };
}
