import type { AuditEvent } from './api-client.js';
import type { DescribedEvent } from './audit-events.js';

/** Events of an account's life (issue 16) in plain words; null for any other type. */
export function describeAccountEvent(event: AuditEvent): DescribedEvent | null {
  const byAdmin = (title: string, text: string | null, tone: DescribedEvent['tone'] = 'warning'): DescribedEvent => ({
    title,
    text,
    tone,
    // The client is the administrator's, which is not shown to the user it was done to.
    showClient: false,
  });
  const own = (title: string, text: string | null, tone: DescribedEvent['tone'] = 'info'): DescribedEvent => ({
    title,
    text,
    tone,
    showClient: true,
  });
  switch (event.type) {
    case 'email.verified':
      return own('Email confirmed', 'The link sent to your address was followed.', 'success');
    case 'email.change_requested':
      return own('Change of email asked for', 'A link was sent to the new address.');
    case 'email.changed':
      return own('Email changed', 'The new address was confirmed; the old one was told.', 'success');
    case 'password.reset_requested':
      return own('Password reset link sent', 'Someone asked for a link to reset the password.', 'warning');
    case 'password.reset':
      return own(
        event.details.via === 'invitation' ? 'Password chosen' : 'Password reset',
        'Every device was signed out.',
        'success',
      );
    case 'account.invited':
      return byAdmin('Invited by an administrator', null, 'info');
    case 'account.disabled':
      return byAdmin('Account disabled by an administrator', 'Every device was signed out.');
    case 'account.enabled':
      return byAdmin('Account enabled by an administrator', null, 'info');
    case 'account.deleted':
      return byAdmin('Account deleted', null);
    default:
      return null;
  }
}
