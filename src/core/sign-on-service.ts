import { type AnomalyDetector, revokedEverySession } from './anomaly.js';
import { type AuditTrail, silentAuditTrail } from './audit.js';
import type { Clock } from './clock.js';
import type { EmailVerificationService } from './email-verification-service.js';
import type { Identity, IdentityRepository, PendingSignOn, PendingSignOnStore } from './identity.js';
import { generatePublicId } from './ids.js';
import { type ActionLimiter, unlimited } from './login-throttle.js';
import { type AccountNotifier, silentNotifier } from './notices.js';
import { type ReturnToPolicy, safeReturnTo } from './return-to.js';
import type { HeldSignIn, SecondFactorService } from './second-factor-service.js';
import type { Authenticated, ClientInfo, IssuedSession, SessionService } from './session-service.js';
import type { SignOnErrorCode, SignOnFailure, SignOnProviders } from './sign-on.js';
import { linkIdentity, resolveSignOnAccount, type SignOnAccounts } from './sign-on-accounts.js';
import { cryptoRandom, generateSecret, hashToken, looksLikeSecret, type RandomSource, safeEqual } from './tokens.js';
import type { User, UserRepository } from './user.js';

/** How long a started sign-on may take at the provider (the pre-login cookie lives as long). */
export const PENDING_SIGN_ON_TTL_MS = 10 * 60_000;

export interface SignOnServiceOptions {
  providers: SignOnProviders;
  identities: IdentityRepository;
  pending: PendingSignOnStore;
  users: UserRepository;
  sessions: SessionService;
  clock: Clock;
  random?: RandomSource;
  /** Heimdall's public origin: a `returnTo` path resolves inside it. */
  publicOrigin: string;
  /** Other origins (`HEIMDALL_ORIGINS`) an absolute `returnTo` may point at; none by default. */
  allowedOrigins?: readonly string[];
  /** OIDC_LINK_VERIFIED_EMAIL: link a first sign-on to the account with the same, provider-verified email. */
  linkVerifiedEmail: boolean;
  allowRegistration: boolean;
  /** New-device and country checks, as for password sign-in. */
  anomalies?: Pick<AnomalyDetector, 'afterSignIn'>;
  /** Per-address budget of sign-on starts (`sign_on`): each one writes a pending attempt. */
  limits?: ActionLimiter;
  audit?: AuditTrail;
  /** Tells the owner when a provider is linked to their account. */
  notifier?: AccountNotifier;
  /** Sends a new account its verification link (a provider's word is not Heimdall's own check). */
  verification?: Pick<EmailVerificationService, 'sendVerification'>;
  /** Holds the sign-on of an account with a second factor until it is presented (issue 17). */
  secondFactors?: Pick<SecondFactorService, 'hold'>;
}

export interface StartSignOnInput {
  provider: string;
  /** The callback URL registered at the provider for this provider name. */
  redirectUri: string;
  returnTo: unknown;
  /** Present when a signed-in user links a new identity to their account. */
  link?: Authenticated;
  /** Who asks: starts are budgeted per address. */
  client: ClientInfo;
}

export type StartSignOnResult =
  | { ok: true; url: string; secret: string; expiresAt: number }
  | (SignOnFailure & { provider: string })
  | { ok: false; code: 'rate_limited'; retryAfterMs: number };

export interface CompleteSignOnInput {
  provider: string;
  /** The full URL the provider sent the browser to, on Heimdall's public origin. */
  callbackUrl: URL;
  /** The pre-login cookie's value, if the browser sent one. */
  preLoginSecret: string | undefined;
  client: ClientInfo;
  /** A session cookie sent along, revoked on sign-in (fixation). */
  presentedSessionSecret?: string;
}

export type SignOnOutcome =
  | {
      ok: true;
      intent: 'sign-in';
      provider: string;
      user: User;
      issued: IssuedSession;
      returnTo: string;
      createdAccount: boolean;
      linkedIdentity: boolean;
    }
  | { ok: true; intent: 'link'; provider: string; user: User; identity: Identity; returnTo: string }
  /** The account has a second factor: no session yet, the browser goes on to the second-factor page. */
  | { ok: true; intent: 'second-factor'; provider: string; user: User; held: HeldSignIn; returnTo: string }
  | (SignOnFailure & { provider: string; userId: string | null });

export type UnlinkResult = { ok: true; identity: Identity } | { ok: false; code: 'not_found' | 'last_sign_in_method' };

/**
 * Third-party sign-on (OpenID Connect): starts attempts bound to the browser, turns a verified identity into an
 * ordinary Heimdall session (or a link on the caller's account), and manages linked identities.
 */
export class SignOnService {
  readonly #providers: SignOnProviders;
  readonly #pending: PendingSignOnStore;
  readonly #sessions: SessionService;
  readonly #accounts: SignOnAccounts;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #returnTo: ReturnToPolicy;
  readonly #anomalies: Pick<AnomalyDetector, 'afterSignIn'> | undefined;
  readonly #limits: ActionLimiter;
  readonly #audit: AuditTrail;
  readonly #notifier: AccountNotifier;
  readonly #verification: Pick<EmailVerificationService, 'sendVerification'> | undefined;
  readonly #secondFactors: Pick<SecondFactorService, 'hold'> | undefined;

  constructor(options: SignOnServiceOptions) {
    this.#providers = options.providers;
    this.#pending = options.pending;
    this.#sessions = options.sessions;
    this.#clock = options.clock;
    this.#random = options.random ?? cryptoRandom;
    this.#returnTo = { publicOrigin: options.publicOrigin, allowedOrigins: options.allowedOrigins ?? [] };
    this.#anomalies = options.anomalies;
    this.#limits = options.limits ?? unlimited;
    this.#audit = options.audit ?? silentAuditTrail(options.clock);
    this.#notifier = options.notifier ?? silentNotifier;
    this.#verification = options.verification;
    this.#secondFactors = options.secondFactors;
    this.#accounts = {
      users: options.users,
      identities: options.identities,
      clock: options.clock,
      newId: () => generatePublicId(this.#random),
      linkVerifiedEmail: options.linkVerifiedEmail,
      allowRegistration: options.allowRegistration,
    };
  }

  /** The configured providers, in configuration order. */
  listProviders(): { name: string; label: string }[] {
    return this.#providers.list().map((p) => ({ name: p.name, label: p.label }));
  }

  /** Label of a provider name, or the name itself when it is no longer configured. */
  labelOf(name: string): string {
    return this.#providers.get(name)?.label ?? name;
  }

  /**
   * Begins a sign-on: fresh state, nonce and PKCE verifier, stored server-side under the hash of a new random
   * secret that only the browser's pre-login cookie holds. Anyone may start one, and each start writes a row, so
   * starts are budgeted per address (and the store keeps a bounded number of attempts).
   */
  async start(input: StartSignOnInput): Promise<StartSignOnResult> {
    const provider = this.#providers.get(input.provider);
    if (!provider) return fail('unknown_provider', `no provider named "${input.provider}"`, input.provider);
    const budget = await this.#limits.consume('sign_on', input.client.ip);
    if (!budget.allowed) {
      // One audit entry per blocking period, as for sign-in: a flood must not flood the log.
      if (budget.firstRefusal) {
        await this.#audit.record('rate.limited', input.client, {
          userId: input.link?.user.id ?? null,
          details: { scope: budget.scope, retryAfterSeconds: Math.ceil(budget.retryAfterMs / 1000) },
        });
      }
      return { ok: false, code: 'rate_limited', retryAfterMs: budget.retryAfterMs };
    }
    const request = await provider.createAuthorizationRequest(input.redirectUri);
    if ('ok' in request) return { ...request, provider: provider.name };
    const now = this.#clock.now();
    const secret = generateSecret(this.#random);
    const pending: PendingSignOn = {
      keyHash: hashToken(secret),
      provider: provider.name,
      intent: input.link ? 'link' : 'sign-in',
      userId: input.link?.user.id ?? null,
      sessionId: input.link?.session.id ?? null,
      state: request.state,
      nonce: request.nonce,
      codeVerifier: request.codeVerifier,
      returnTo: safeReturnTo(input.returnTo, this.#returnTo),
      createdAt: now,
      expiresAt: now + PENDING_SIGN_ON_TTL_MS,
    };
    await this.#pending.insert(pending, now);
    return { ok: true, url: request.url, secret, expiresAt: pending.expiresAt };
  }

  /** Completes a sign-on from the provider's answer. Every refusal is a value naming a SignOnErrorCode. */
  async complete(input: CompleteSignOnInput): Promise<SignOnOutcome> {
    const name = input.provider;
    // Taking the attempt deletes it, whatever happens next: a state, nonce or verifier is never accepted twice.
    const secret = input.preLoginSecret;
    const pending = secret && looksLikeSecret(secret) ? await this.#pending.take(hashToken(secret)) : null;
    if (!pending)
      return fail('invalid_state', secret ? 'unknown or spent pre-login cookie' : 'no pre-login cookie', name);
    const userId = pending.userId;
    if (this.#clock.now() >= pending.expiresAt) return fail('invalid_state', 'sign-on attempt expired', name, userId);
    if (pending.provider !== name) {
      return fail('provider_mismatch', `started with "${pending.provider}", answered at "${name}"`, name, userId);
    }
    // openid-client checks state too; checking here first names the failure precisely.
    const state = input.callbackUrl.searchParams.get('state');
    if (!state || !safeEqual(state, pending.state)) {
      return fail('invalid_state', state ? 'state does not match the pre-login cookie' : 'no state', name, userId);
    }
    const provider = this.#providers.get(name);
    if (!provider) return fail('unknown_provider', `provider "${name}" is no longer configured`, name, userId);
    const verified = await provider.handleCallback(input.callbackUrl, pending);
    if (!verified.ok) return { ...verified, provider: name, userId };

    if (pending.intent === 'link') {
      const linked = await linkIdentity(this.#accounts, this.#sessions, pending, name, verified.identity);
      if (!linked.ok) return { ...linked, provider: name, userId };
      const { user, identity } = linked;
      if (linked.created) await this.#noticeLinked(user.id, name);
      return { ok: true, intent: 'link', provider: name, user, identity, returnTo: pending.returnTo };
    }
    const account = await resolveSignOnAccount(this.#accounts, name, verified.identity);
    if (!account.ok) return { ...account, provider: name };
    if (account.created) await this.#verification?.sendVerification(account.user);
    else if (account.linked) await this.#noticeLinked(account.user.id, name);
    // The second factor guards this way in too (issue 17): the provider's word is the first factor only.
    const held = await this.#secondFactors?.hold(account.user, ['oidc'], input.client, {
      provider: name,
      returnTo: pending.returnTo,
    });
    if (held) {
      return {
        ok: true,
        intent: 'second-factor',
        provider: name,
        user: account.user,
        held,
        returnTo: pending.returnTo,
      };
    }
    if (input.presentedSessionSecret) await this.#sessions.revokeBySecret(input.presentedSessionSecret);
    const issued = await this.#sessions.create(account.user, input.client, { methods: ['oidc'], provider: name });
    const warnings = (await this.#anomalies?.afterSignIn(issued.session, input.client, account.created)) ?? [];
    if (revokedEverySession(warnings)) {
      return fail('signed_out_everywhere', 'an anomaly ended every session, this one included', name, account.user.id);
    }
    return {
      ok: true,
      intent: 'sign-in',
      provider: name,
      user: account.user,
      issued,
      returnTo: pending.returnTo,
      createdAccount: account.created,
      linkedIdentity: account.linked,
    };
  }

  async #noticeLinked(userId: string, provider: string): Promise<void> {
    try {
      await this.#notifier.notify({ kind: 'identity_linked', userId, details: { provider: this.labelOf(provider) } });
    } catch {
      // A notice never undoes what it describes.
    }
  }

  /**
   * Removes every linked identity of the account ("sign out everywhere" offers it, issue 15): what a thief linked
   * goes with the sessions. A password-less account keeps its oldest identity, its only way back in.
   */
  async unlinkAll(user: User): Promise<Identity[]> {
    // Newest first, so that the one kept (when one must be) is the account's original, not one linked since.
    const identities = (await this.#accounts.identities.listForUser(user.id)).reverse();
    const removed: Identity[] = [];
    for (const identity of identities) {
      const outcome = await this.#accounts.identities.delete(user.id, identity.id, { keepOne: !user.passwordHash });
      if (outcome === 'deleted') removed.push(identity);
    }
    return removed;
  }

  listIdentities(userId: string): Promise<Identity[]> {
    return this.#accounts.identities.listForUser(userId);
  }

  /** Removes a linked identity, unless it is the account's last way to sign in (no password, no other identity). */
  async unlink(user: User, identityId: string): Promise<UnlinkResult> {
    const identities = await this.#accounts.identities.listForUser(user.id);
    const identity = identities.find((i) => i.id === identityId);
    if (!identity) return { ok: false, code: 'not_found' };
    const outcome = await this.#accounts.identities.delete(user.id, identityId, { keepOne: !user.passwordHash });
    if (outcome === 'last') return { ok: false, code: 'last_sign_in_method' };
    return outcome === 'deleted' ? { ok: true, identity } : { ok: false, code: 'not_found' };
  }
}

function fail(code: SignOnErrorCode, reason: string, provider: string, userId: string | null = null) {
  return { ok: false as const, code, reason, provider, userId };
}
