import type { AuditEventType, AuditPage, User } from './api-client.js';
import { api } from './api-client.js';

export interface AdminAuditFilter {
  userId?: string | null;
  type?: AuditEventType | null;
}

/** GET /api/admin/audit: everyone's events (or one user's, one type's), newest first, a page at a time. */
export function listAdminAudit(filter: AdminAuditFilter, limit: number, cursor?: string | null): Promise<AuditPage> {
  return api.admin.listAudit({
    ...(filter.userId ? { userId: filter.userId } : {}),
    ...(filter.type ? { type: filter.type } : {}),
    cursor: cursor ?? null,
    limit,
  });
}

/** The account with exactly this email (GET /api/admin/users?query=), or null. */
export async function findUserByEmail(email: string): Promise<User | null> {
  const wanted = email.trim().toLowerCase();
  const { users } = await api.admin.listUsers(wanted);
  return users.find((user) => user.email.toLowerCase() === wanted) ?? null;
}
