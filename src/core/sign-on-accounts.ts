import type { Clock } from './clock.js';
import { findUserByTypedEmail, normaliseEmail } from './email-address.js';
import type { Identity, IdentityRepository, PendingSignOn } from './identity.js';
import { generateUuidV7 } from './ids.js';
import type { SessionService } from './session-service.js';
import type { SignOnFailure, VerifiedIdentity } from './sign-on.js';
import type { User, UserRepository } from './user.js';

/** What account resolution needs; built once by SignOnService. */
export interface SignOnAccounts {
  users: UserRepository;
  identities: IdentityRepository;
  clock: Clock;
  newId: () => string;
  linkVerifiedEmail: boolean;
  allowRegistration: boolean;
}

type AccountFailure = SignOnFailure & { userId: string | null };
export type ResolvedAccount = { ok: true; user: User; created: boolean; linked: boolean } | AccountFailure;

const MAX_NAME_LENGTH = 100;

/**
 * The account a verified identity signs in to. Known (issuer, subject) → its account. Otherwise the provider's email
 * decides, and only an address the provider vouches for (`email_verified: true`) counts:
 * - an existing account with that email is linked only when OIDC_LINK_VERIFIED_EMAIL allows it and Heimdall has
 *   verified the account's address itself (a link it sent was followed). An account registered with someone else's
 *   address and never verified must not receive the real owner's sign-on (pre-hijacking, issue 15 finding 2);
 * - a new email gets a new account without a password, unverified until its owner follows Heimdall's link. An
 *   address the provider does not vouch for makes no account at all: it would hold the address against its real
 *   owner, and a later verified sign-on of that owner must not join it.
 */
export async function resolveSignOnAccount(
  accounts: SignOnAccounts,
  provider: string,
  identity: VerifiedIdentity,
): Promise<ResolvedAccount> {
  const known = await accounts.identities.findBySubject(identity.issuer, identity.subject);
  if (known) return signInKnown(accounts, known, identity);

  const typedEmail = identity.email ?? '';
  const email = normaliseEmail(typedEmail);
  if (!email) return refuse('email_required', 'the provider gave no usable email for a new account');
  const owner = await findUserByTypedEmail(accounts.users, typedEmail);
  if (owner) {
    const why = !accounts.linkVerifiedEmail
      ? 'linking by email is off'
      : !identity.emailVerified
        ? 'the provider does not vouch for the email'
        : !owner.emailVerified
          ? 'Heimdall has not verified the account’s email'
          : null;
    if (why) return refuse('email_taken', `an account with this email exists and ${why}`, owner.id);
    if (owner.disabled) return refuse('account_disabled', 'the account is disabled', owner.id);
    const linked = await insertIdentity(accounts, owner, provider, identity, email);
    return linked.ok ? { ok: true, user: owner, created: false, linked: true } : linked;
  }

  if (!identity.emailVerified) return refuse('email_unverified', 'the provider does not vouch for the email');
  if (!accounts.allowRegistration) return refuse('registration_closed', 'registration is closed');
  const now = accounts.clock.now();
  const created = await accounts.users.create({
    id: generateUuidV7(accounts.clock),
    email,
    name: displayName(identity, email),
    passwordHash: null,
    createdAt: now,
  });
  if (!created.ok) {
    // Lost a race against another sign-on of the same person (two tabs): that one linked the identity first.
    const winner = await accounts.identities.findBySubject(identity.issuer, identity.subject);
    return winner ? signInKnown(accounts, winner, identity) : refuse('email_taken', 'the email was taken meanwhile');
  }
  const linked = await insertIdentity(accounts, created.user, provider, identity, email);
  return linked.ok ? { ok: true, user: created.user, created: true, linked: true } : linked;
}

/** Links a verified identity to the account that started the link, whose session must still be alive. */
export async function linkIdentity(
  accounts: SignOnAccounts,
  sessions: SessionService,
  pending: PendingSignOn,
  provider: string,
  identity: VerifiedIdentity,
): Promise<{ ok: true; user: User; identity: Identity; created: boolean } | AccountFailure> {
  const session = pending.sessionId ? await sessions.findById(pending.sessionId) : null;
  const user = session && session.userId === pending.userId ? await accounts.users.findById(session.userId) : null;
  if (!session || !user || user.disabled || user.sessionVersion !== session.userVersion) {
    return refuse('unauthenticated', 'the session that started the link has ended', pending.userId);
  }
  const known = await accounts.identities.findBySubject(identity.issuer, identity.subject);
  if (known && known.userId !== user.id) {
    return refuse('identity_taken', 'the identity is linked to another account', user.id);
  }
  if (known) {
    await accounts.identities.touch(known.id, accounts.clock.now(), identity.email);
    return { ok: true, user, identity: known, created: false };
  }
  const linked = await insertIdentity(accounts, user, provider, identity, identity.email);
  return linked.ok ? { ok: true, user, identity: linked.identity, created: true } : linked;
}

async function signInKnown(
  accounts: SignOnAccounts,
  known: Identity,
  identity: VerifiedIdentity,
): Promise<ResolvedAccount> {
  const user = await accounts.users.findById(known.userId);
  if (!user || user.disabled) return refuse('account_disabled', 'the linked account is disabled', known.userId);
  await accounts.identities.touch(known.id, accounts.clock.now(), identity.email);
  return { ok: true, user, created: false, linked: false };
}

async function insertIdentity(
  accounts: SignOnAccounts,
  user: User,
  provider: string,
  identity: VerifiedIdentity,
  email: string | null,
): Promise<{ ok: true; identity: Identity } | AccountFailure> {
  const now = accounts.clock.now();
  const inserted = await accounts.identities.insert({
    id: accounts.newId(),
    userId: user.id,
    provider,
    issuer: identity.issuer,
    subject: identity.subject,
    email,
    createdAt: now,
    lastUsedAt: now,
  });
  return inserted.ok ? inserted : refuse('identity_taken', 'the identity was linked to another account', user.id);
}

function displayName(identity: VerifiedIdentity, email: string): string {
  const name = identity.name?.trim().slice(0, MAX_NAME_LENGTH);
  return name || (email.split('@')[0] ?? email);
}

function refuse(code: SignOnFailure['code'], reason: string, userId: string | null = null): AccountFailure {
  return { ok: false, code, reason, userId };
}
