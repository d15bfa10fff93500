import { describeAccountEvent } from './account-audit-events.js';
import type { AuditEvent } from './api-client.js';
import { describeSignOnError } from './error-messages.js';
import { countryName } from './format.js';

export type EventTone = 'info' | 'success' | 'warning';

/** An audit event in plain words for the person it is about. */
export interface DescribedEvent {
  title: string;
  text: string | null;
  tone: EventTone;
  /**
   * Whether the device, address and country belong to the user. An administrator's action carries the
   * administrator's client, which is not shown to the user it was done to.
   */
  showClient: boolean;
}

/** A provider's label from its name (the audit log keeps names). */
export type LabelOf = (provider: string) => string;

function text(value: unknown): string | null {
  return typeof value === 'string' && value ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function devices(n: number): string {
  return n === 1 ? '1 device' : `${n} devices`;
}

const own = (title: string, detail: string | null, tone: EventTone = 'info'): DescribedEvent => ({
  title,
  text: detail,
  tone,
  showClient: true,
});

function describeSignIn(details: Record<string, unknown>, labelOf: LabelOf): DescribedEvent {
  const provider = text(details.provider);
  if (details.method === 'oidc' && provider) {
    const how = details.createdAccount
      ? 'This sign-in created the account.'
      : details.linkedIdentity
        ? 'The provider account was linked by its verified email.'
        : null;
    return own(`Signed in with ${labelOf(provider)}`, how);
  }
  if (details.method === 'api_tokens') return own('API client signed in', 'An API client was issued tokens.');
  if (details.method === 'passkey') return own('Signed in with a passkey', null);
  const factor = text(details.secondFactor);
  if (factor) return own('Signed in', `With ${FACTOR_NAMES[factor] ?? factor} as the second step.`);
  return own('Signed in', null);
}

const FACTOR_NAMES: Record<string, string> = {
  totp: 'a code from the authenticator app',
  recovery_code: 'a recovery code',
  passkey: 'a passkey',
};

/** Second factors and re-authentication (docs/api.md, "Second factors"); null for other types. */
function describeFactorEvent(type: string, details: Record<string, unknown>): DescribedEvent | null {
  switch (type) {
    case 'totp.enabled':
      return own(details.replaced ? 'Authenticator app replaced' : 'Authenticator app set up', null, 'success');
    case 'totp.disabled':
      return own('Authenticator app removed', null, 'warning');
    case 'recovery_codes.regenerated':
      return own('New recovery codes made', 'The earlier codes no longer work.');
    case 'recovery_code.used': {
      const left = count(details.remaining);
      return own('Recovery code used', left === null ? null : `${left} left.`, 'warning');
    }
    case 'passkey.added':
      return own(`Passkey added${text(details.name) ? `: ${text(details.name)}` : ''}`, null, 'success');
    case 'passkey.renamed':
      return own('Passkey renamed', null);
    case 'passkey.removed':
      return own(`Passkey removed${text(details.name) ? `: ${text(details.name)}` : ''}`, null, 'warning');
    case 'auth.reauthenticated':
      return own('Confirmed it was you', 'A sign-in was confirmed again before a protected change.');
    case 'auth.second_factor_asked':
      return own('Second step asked', 'The first step of a sign-in was right; the second factor was asked for.');
    case 'session.device_bound':
      return own('Session bound to this device', 'The browser tied this session to a key it keeps.', 'success');
    case 'session.device_refresh_refused':
      return own(
        'Copied session refused',
        "Someone with a copy of a session's cookie but not its device's key was refused.",
        'warning',
      );
    default:
      return null;
  }
}

function describeFailedSignIn(details: Record<string, unknown>, labelOf: LabelOf): DescribedEvent {
  if (details.reason === 'account_disabled') {
    return own('Sign-in refused', 'The password was right, but the account is disabled.', 'warning');
  }
  if (details.stage === 'second_factor') {
    return own(
      'Wrong second factor',
      'A sign-in or confirmation was refused: the code or passkey was wrong.',
      'warning',
    );
  }
  if (details.method === 'passkey') return own('Passkey sign-in refused', null, 'warning');
  if (details.during === 'password_change') {
    return own('Wrong current password', 'A password change was refused: the current password was wrong.', 'warning');
  }
  const provider = text(details.provider);
  if (details.method === 'oidc' && provider) {
    const code = text(details.code);
    return own(`Sign-in with ${labelOf(provider)} failed`, code ? describeSignOnError(code) : null, 'warning');
  }
  return own('Failed sign-in', 'Someone tried to sign in to this account with a wrong password.', 'warning');
}

function describeEndedSessions(details: Record<string, unknown>): DescribedEvent {
  const revoked = count(details.revoked);
  switch (details.by) {
    case 'user':
      return details.scope === 'others'
        ? own('Signed out other devices', revoked === null ? null : `You signed out ${devices(revoked)}.`)
        : own('Device signed out', 'You signed out one of your devices.');
    case 'admin':
      return {
        title: details.scope === 'all' ? 'Sessions ended by an administrator' : 'Session ended by an administrator',
        text: revoked === null ? null : `${devices(revoked)} signed out.`,
        tone: 'warning',
        showClient: false,
      };
    case 'anomaly':
      return own(
        'Sessions ended automatically',
        `Your account was in use from too many countries at once${
          revoked === null ? '' : `: ${devices(revoked)} signed out`
        }.`,
        'warning',
      );
    case 'session_limit':
      return {
        title: 'Oldest session ended',
        text: `A new sign-in went past the limit of ${count(details.limit) ?? 'many'} sessions per account, so the oldest was signed out.`,
        tone: 'info',
        showClient: false,
      };
    default:
      return {
        title: 'Session ended by Heimdall',
        text: 'A security check ended a sign-in.',
        tone: 'warning',
        showClient: false,
      };
  }
}

/** Title, explanation and tone for each audit event type (docs/api.md, "Audit log"). */
export function describeAuditEvent(event: AuditEvent, labelOf: LabelOf): DescribedEvent {
  const details = event.details;
  switch (event.type) {
    case 'auth.register':
      return own('Account created', null, 'success');
    case 'auth.login':
      return describeSignIn(details, labelOf);
    case 'auth.login_failed':
      return describeFailedSignIn(details, labelOf);
    case 'auth.logout': {
      const revoked = count(details.revoked);
      return details.scope === 'all'
        ? own('Signed out everywhere', revoked === null ? null : `${devices(revoked)} signed out.`)
        : own('Signed out', null);
    }
    case 'session.revoked':
      return describeEndedSessions(details);
    case 'password.changed': {
      const ended = count(details.sessionsEnded);
      return own(
        'Password changed',
        ended ? `Every other device was signed out (${devices(ended)}).` : null,
        'success',
      );
    }
    case 'roles.changed': {
      const from = list(details.from).join(', ') || 'none';
      const to = list(details.to).join(', ') || 'none';
      const byOther = details.actorId !== event.userId;
      return {
        title: byOther ? 'Roles changed by an administrator' : 'Roles changed',
        text: `From ${from} to ${to}.`,
        tone: 'info',
        showClient: !byOther,
      };
    }
    case 'rate.limited': {
      const wait = count(details.retryAfterSeconds);
      return own(
        'Sign-in attempts paused',
        `Too many failed attempts${wait === null ? '' : `: further attempts were refused for ${wait} seconds`}.`,
        'warning',
      );
    }
    case 'anomaly.multiple_countries': {
      const countries = list(details.countries).map(countryName).join(', ');
      return own(
        'Signed in from several countries',
        `Your account was signed in from ${countries || 'several countries'} at the same time.`,
        'warning',
      );
    }
    case 'anomaly.country_changed': {
      const from = text(details.from);
      const to = text(details.to);
      return own(
        'Session changed country',
        from && to ? `A session moved from ${countryName(from)} to ${countryName(to)}.` : null,
        'warning',
      );
    }
    case 'anomaly.new_device':
      return own(
        'Sign-in from a new device',
        `${text(details.device) ?? 'This device'} had not signed in to this account before.`,
        'warning',
      );
    case 'token.reused':
      return own(
        'API token reused',
        'A refresh token was used a second time, so its sign-in was ended as a precaution.',
        'warning',
      );
    case 'identity.linked':
      return own(`Linked ${labelOf(text(details.provider) ?? 'a provider')}`, null, 'success');
    case 'identity.unlinked':
      return own(`Unlinked ${labelOf(text(details.provider) ?? 'a provider')}`, null);
    default:
      return describeAccountEvent(event) ?? describeFactorEvent(event.type, details) ?? own(event.type, null);
  }
}
