import type { Transport } from './transport.js';
import type { AuditEventType, AuditPage, ListedSession, User, UserPage } from './types.js';

const id = encodeURIComponent;

export interface AuditQuery {
  userId?: string;
  type?: AuditEventType;
  cursor?: string | null;
  limit?: number;
}

/** User and session administration (role `admin`). */
export function adminCalls(transport: Transport) {
  return {
    listUsers(query = '', cursor?: string | null, limit?: number): Promise<UserPage> {
      const params = new URLSearchParams();
      if (query) params.set('query', query);
      if (cursor) params.set('cursor', cursor);
      if (limit) params.set('limit', String(limit));
      const qs = params.toString();
      return transport.request('GET', `/api/admin/users${qs ? `?${qs}` : ''}`);
    },
    inviteUser: (body: { email: string; name?: string; roles?: string[] }): Promise<{ user: User }> =>
      transport.request('POST', '/api/admin/users', { body }),
    setRoles: (userId: string, roles: string[]): Promise<{ user: User }> =>
      transport.request('PUT', `/api/admin/users/${id(userId)}/roles`, { body: { roles } }),
    listUserSessions: (userId: string): Promise<{ sessions: ListedSession[] }> =>
      transport.request('GET', `/api/admin/users/${id(userId)}/sessions`),
    revokeUserSessions: (userId: string): Promise<{ revoked: number }> =>
      transport.request('DELETE', `/api/admin/users/${id(userId)}/sessions`),
    revokeAnySession: (sessionId: string): Promise<void> =>
      transport.request('DELETE', `/api/admin/sessions/${id(sessionId)}`),
    sendMessage: (userId: string, text: string): Promise<{ delivered: number }> =>
      transport.request('POST', `/api/admin/users/${id(userId)}/messages`, { body: { text } }),
    disableUser: (userId: string): Promise<{ user: User }> =>
      transport.request('POST', `/api/admin/users/${id(userId)}/disable`),
    enableUser: (userId: string): Promise<{ user: User }> =>
      transport.request('POST', `/api/admin/users/${id(userId)}/enable`),
    deleteUser: (userId: string): Promise<void> => transport.request('DELETE', `/api/admin/users/${id(userId)}`),
    /** The audit log, newest first, filtered by user and type. */
    listAudit(query: AuditQuery = {}): Promise<AuditPage> {
      const params = new URLSearchParams();
      if (query.userId) params.set('userId', query.userId);
      if (query.type) params.set('type', query.type);
      if (query.cursor) params.set('cursor', query.cursor);
      if (query.limit) params.set('limit', String(query.limit));
      const qs = params.toString();
      return transport.request('GET', `/api/admin/audit${qs ? `?${qs}` : ''}`);
    },
  };
}
export type AdminCalls = ReturnType<typeof adminCalls>;
