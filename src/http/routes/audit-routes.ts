import { Type } from 'typebox';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType } from '../../core/audit.js';
import { describeUserAgent } from '../../core/device.js';
import { ADMIN_ROLE } from '../../core/user-service.js';
import type { Api, RouteContext } from '../route-context.js';

/** The `type` filter: one of the event types the audit log records. */
export const AuditEventTypeSchema = Type.Unsafe<AuditEventType>(
  Type.Union(AUDIT_EVENT_TYPES.map((t) => Type.Literal(t))),
);
const Paging = {
  type: Type.Optional(AuditEventTypeSchema),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};
const OwnQuery = Type.Object(Paging, { additionalProperties: false });
const AdminQuery = Type.Object(
  { ...Paging, userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })) },
  { additionalProperties: false },
);

export const AuditEventView = Type.Object({
  id: Type.String(),
  at: Type.String(),
  type: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  country: Type.Union([Type.String(), Type.Null()]),
  /** Parsed from userAgent when the page is read, as in session listings ("Chrome 156", "Linux"). */
  browser: Type.Union([Type.String(), Type.Null()]),
  os: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
const AuditPageView = Type.Object({
  events: Type.Array(AuditEventView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

function toView(event: AuditEvent) {
  return { ...event, at: new Date(event.at).toISOString(), ...describeUserAgent(event.userAgent ?? '') };
}

/** Details only operators read: the sign-on library's internal reason, and which administrator acted. */
const OPERATOR_ONLY_DETAILS = new Set(['reason', 'actorId']);

/**
 * A user's view of their own event. When someone else acted on the account (an administrator ending sessions or
 * changing roles), the address, browser and country recorded are that person's, so the user does not get them.
 */
export function toOwnView(event: AuditEvent, userId: string) {
  const actorId = event.details.actorId;
  const byOther = typeof actorId === 'string' && actorId !== userId;
  const details = Object.fromEntries(Object.entries(event.details).filter(([key]) => !OPERATOR_ONLY_DETAILS.has(key)));
  const view = toView({ ...event, details });
  return byOther ? { ...view, ip: null, userAgent: null, country: null, browser: null, os: null } : view;
}

/** The audit log (API.md, "Administration"): everyone reads their own events; admins read everyone's. */
export function registerAuditRoutes(api: Api, { services, guards }: RouteContext): void {
  api.get(
    '/audit',
    { preHandler: guards.requireSession, schema: { querystring: OwnQuery, response: { 200: AuditPageView } } },
    async (request) => {
      const { type, cursor, limit } = request.query;
      const userId = request.auth!.user.id;
      const page = await services.audit.list({
        userId,
        type,
        cursor,
        limit: limit ?? 50,
      });
      return { events: page.events.map((event) => toOwnView(event, userId)), nextCursor: page.nextCursor };
    },
  );

  api.get(
    '/admin/audit',
    {
      preHandler: guards.requireRole(ADMIN_ROLE),
      schema: { querystring: AdminQuery, response: { 200: AuditPageView } },
    },
    async (request) => {
      const { userId, type, cursor, limit } = request.query;
      const page = await services.audit.list({
        userId,
        type,
        cursor,
        limit: limit ?? 50,
      });
      return { events: page.events.map(toView), nextCursor: page.nextCursor };
    },
  );
}
