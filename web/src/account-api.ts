import { request } from './api-client.js';
import type { AuditPage, User } from './api-types.js';

/** Email links, password resets and the administration of accounts (docs/api.md, "Email" and "Accounts"). */
export const accountApi = {
  forgotPassword: (email: string) =>
    request<Record<string, never>>('POST', '/api/auth/password/forgot', { body: { email } }),
  resetPassword: (token: string, password: string) =>
    request<void>('POST', '/api/auth/password/reset', { body: { token, password }, expectUnauthenticated: true }),
  verifyEmail: (token: string) =>
    request<{ user: User }>('POST', '/api/auth/email/verify', { body: { token }, expectUnauthenticated: true }),
  resendVerification: () => request<Record<string, never>>('POST', '/api/auth/email/verify/resend'),
  changeEmail: (email: string) => request<Record<string, never>>('POST', '/api/account/email', { body: { email } }),
  deleteAccount: () => request<void>('DELETE', '/api/account'),
  inviteUser: (body: { email: string; name?: string; roles?: string[] }) =>
    request<{ user: User }>('POST', '/api/admin/users', { body }),
  disableUser: (id: string) => request<{ user: User }>('POST', `/api/admin/users/${encodeURIComponent(id)}/disable`),
  enableUser: (id: string) => request<{ user: User }>('POST', `/api/admin/users/${encodeURIComponent(id)}/enable`),
  deleteUser: (id: string) => request<void>('DELETE', `/api/admin/users/${encodeURIComponent(id)}`),
  /** A user's audit events, for administrators (GET /api/admin/audit?userId=). */
  listUserAudit: (userId: string, limit: number, cursor?: string | null) => {
    const params = new URLSearchParams({ userId, limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    return request<AuditPage>('GET', `/api/admin/audit?${params}`);
  },
};
