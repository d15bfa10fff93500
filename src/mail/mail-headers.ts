import type { OutgoingMail } from '../core/mail.js';

/**
 * Headers every message carries: RFC 3834 marks it as sent by a machine (no auto-replies, no vacation loops), and
 * the kind lets operators and tests tell messages apart without parsing their text.
 */
export function mailHeaders(mail: OutgoingMail): Record<string, string> {
  return { 'Auto-Submitted': 'auto-generated', 'X-Heimdall-Kind': mail.kind };
}
