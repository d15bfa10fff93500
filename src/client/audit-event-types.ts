import type { AuditEventType } from './types.js';

/**
 * The event types the audit log records, in the API's order: what `admin.listAudit({ type })` filters by. Written out
 * here so that the browser client imports nothing of the server at run time; the compiler keeps it equal to the
 * server's list (a type it records but this list lacks fails to compile below, and `satisfies` refuses one it does not
 * record).
 */
export const AUDIT_EVENT_TYPES = [
  'auth.register',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'session.revoked',
  'password.changed',
  'roles.changed',
  'rate.limited',
  'anomaly.multiple_countries',
  'anomaly.country_changed',
  'anomaly.new_device',
  'token.reused',
  'key.rotated',
  'identity.linked',
  'identity.unlinked',
  'email.verified',
  'email.change_requested',
  'email.changed',
  'password.reset_requested',
  'password.reset',
  'account.invited',
  'account.disabled',
  'account.enabled',
  'account.deleted',
  'auth.second_factor_asked',
  'auth.reauthenticated',
  'totp.enabled',
  'totp.disabled',
  'recovery_codes.regenerated',
  'recovery_code.used',
  'passkey.added',
  'passkey.renamed',
  'passkey.removed',
  'session.device_bound',
  'session.device_refresh_refused',
] as const satisfies readonly AuditEventType[];

type Unlisted = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
const EVERY_TYPE_LISTED: [Unlisted] extends [never] ? true : false = true;
void EVERY_TYPE_LISTED;
