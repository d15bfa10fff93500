import { type PasskeyCeremonies, runCeremony } from './passkey-ceremonies.js';
import type { Transport } from './transport.js';
import type { Passkey, PasskeyCreationOptions, User } from './types.js';

const id = encodeURIComponent;

/** The caller's account: email links, password reset, second factors, passkeys and deletion. */
export function accountCalls(transport: Transport, ceremonies: PasskeyCeremonies) {
  const anonymous = { anonymous: true, expectUnauthenticated: true } as const;
  return {
    forgotPassword: (email: string): Promise<Record<string, never>> =>
      transport.request('POST', '/api/auth/password/forgot', { ...anonymous, body: { email } }),
    resetPassword: (token: string, password: string): Promise<void> =>
      transport.request('POST', '/api/auth/password/reset', { ...anonymous, body: { token, password } }),
    verifyEmail: (token: string): Promise<{ user: User }> =>
      transport.request('POST', '/api/auth/email/verify', { ...anonymous, body: { token } }),
    resendVerification: (): Promise<Record<string, never>> =>
      transport.request('POST', '/api/auth/email/verify/resend'),
    changeEmail: (email: string): Promise<Record<string, never>> =>
      transport.request('POST', '/api/account/email', { body: { email } }),
    deleteAccount: (): Promise<void> => transport.request('DELETE', '/api/account'),

    startTotp: (): Promise<{ secret: string; otpauthUrl: string; expiresAt: string }> =>
      transport.request('POST', '/api/account/totp'),
    confirmTotp: (code: string): Promise<{ recoveryCodes: string[] }> =>
      transport.request('POST', '/api/account/totp/confirm', { body: { code } }),
    removeTotp: (): Promise<void> => transport.request('DELETE', '/api/account/totp'),
    recoveryCodeStatus: (): Promise<{ remaining: number; generatedAt: string | null }> =>
      transport.request('GET', '/api/account/recovery-codes'),
    regenerateRecoveryCodes: (): Promise<{ recoveryCodes: string[] }> =>
      transport.request('POST', '/api/account/recovery-codes'),

    listPasskeys: (): Promise<{ passkeys: Passkey[] }> => transport.request('GET', '/api/account/passkeys'),
    renamePasskey: (passkeyId: string, name: string): Promise<{ passkey: Passkey }> =>
      transport.request('PATCH', `/api/account/passkeys/${id(passkeyId)}`, { body: { name } }),
    removePasskey: (passkeyId: string): Promise<void> =>
      transport.request('DELETE', `/api/account/passkeys/${id(passkeyId)}`),
    /** Creates a passkey with the browser's authenticator and registers it to this account. */
    async addPasskey(name = ''): Promise<Passkey> {
      const options = await transport.request<PasskeyCreationOptions>('POST', '/api/account/passkeys/options');
      const response = await runCeremony(() => ceremonies.create(options));
      const body = name.trim() ? { response, name: name.trim() } : { response };
      return (await transport.request<{ passkey: Passkey }>('POST', '/api/account/passkeys', { body })).passkey;
    },
  };
}
export type AccountCalls = ReturnType<typeof accountCalls>;
