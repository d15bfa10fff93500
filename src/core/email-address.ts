import type { User, UserRepository } from './user.js';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254;
/**
 * Characters that show as nothing (zero-width spaces and joiners, soft hyphen, word joiner, byte order mark,
 * variation selectors), steer rendering (bidirectional overrides) or control the terminal: an address holding one
 * looks exactly like another address.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}]/u;

/**
 * The canonical form of an email, as accounts are stored and compared: trimmed, NFKC (full-width and other
 * compatibility forms fold to the characters they stand for, as the password hash does) and lower-case, so
 * that `ｏｄｉｎ@asgard.example` is `odin@asgard.example`. Null when the result is not an address, or when it holds an
 * invisible or format character: such an address would look like another one, so it never becomes an account.
 */
export function normaliseEmail(raw: string): string | null {
  const email = raw.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email) || INVISIBLE.test(email)) return null;
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (!domain.includes('.') && domain !== 'localhost') return null;
  return email;
}

/**
 * The form accounts were stored in before issue 15 (trim, NFC, lower-case). Migration 0006 moved rows to the canonical
 * form where it could; a row it left (its canonical form was taken, or is not an address) is still found by exactly
 * what its owner types.
 */
export function legacyEmailForm(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

/**
 * The account a typed email names: a row stored in exactly the typed (NFC) form first — so an account from before
 * the canonical form keeps working and is never shadowed by its canonical twin — then the canonical form.
 */
export async function findUserByTypedEmail(
  users: Pick<UserRepository, 'findByEmail'>,
  raw: string,
): Promise<User | null> {
  const email = normaliseEmail(raw);
  const legacy = legacyEmailForm(raw);
  if (legacy !== email && legacy.length <= MAX_EMAIL_LENGTH && legacy.includes('@')) {
    const stored = await users.findByEmail(legacy);
    if (stored) return stored;
  }
  return email ? users.findByEmail(email) : null;
}
