import { api, request } from './api-client.js';
import type { AuditPage, User } from './api-types.js';

export interface AdminAuditFilter {
  userId?: string | null;
  type?: string | null;
}

/** GET /api/admin/audit: everyone's events (or one user's, one type's), newest first, a page at a time. */
export function listAdminAudit(filter: AdminAuditFilter, limit: number, cursor?: string | null): Promise<AuditPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filter.userId) params.set('userId', filter.userId);
  if (filter.type) params.set('type', filter.type);
  if (cursor) params.set('cursor', cursor);
  return request<AuditPage>('GET', `/api/admin/audit?${params}`);
}

/** The account with exactly this email (GET /api/admin/users?query=), or null. */
export async function findUserByEmail(email: string): Promise<User | null> {
  const wanted = email.trim().toLowerCase();
  const { users } = await api.listUsers(wanted);
  return users.find((user) => user.email.toLowerCase() === wanted) ?? null;
}
