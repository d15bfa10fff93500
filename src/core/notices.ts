/**
 * What an account's owner is told about, out of band (by email), when something about how the account is protected
 * changes (API.md, "Email": notices carry no sign-in links).
 */
export type NoticeKind =
  | 'password_changed'
  | 'password_reset'
  | 'second_factor_added'
  | 'second_factor_removed'
  | 'passkey_added'
  | 'passkey_removed'
  | 'recovery_codes_regenerated'
  | 'identity_linked'
  | 'email_changed'
  | 'new_device'
  | 'sessions_revoked_by_anomaly';

export interface Notice {
  kind: NoticeKind;
  userId: string;
  /**
   * Plain facts for the message, never a secret or link. Keys the messages use: `factor` (second factors), `name`
   * (passkeys), `provider` (identity_linked), `newEmail` and `previousEmail` (email_changed, which goes to the
   * previous address), `device`, `ip`, `country` (new_device), `countries` (sessions_revoked_by_anomaly).
   */
  details?: Record<string, string>;
}

/**
 * Port: tells account owners about security-relevant changes. Implementations queue durably and return at once:
 * a notice never fails or delays the change it describes.
 */
export interface AccountNotifier {
  notify(notice: Notice): Promise<void>;
}

/** Tells no one: for services built without mail (unit tests, tools). */
export const silentNotifier: AccountNotifier = { notify: async () => {} };
