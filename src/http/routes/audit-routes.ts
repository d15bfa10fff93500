import { Type } from 'typebox';
import { AUDIT_EVENT_TYPES, type AuditEvent, type AuditEventType } from '../../core/audit.js';
import { ADMIN_ROLE } from '../../core/user-service.js';
import type { Api, RouteContext } from '../route-context.js';

const EventType = Type.Union(AUDIT_EVENT_TYPES.map((t) => Type.Literal(t)));
const Paging = {
  type: Type.Optional(EventType),
  cursor: Type.Optional(Type.String({ maxLength: 100 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
};
const OwnQuery = Type.Object(Paging, { additionalProperties: false });
const AdminQuery = Type.Object(
  { ...Paging, userId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })) },
  { additionalProperties: false },
);

const AuditEventView = Type.Object({
  id: Type.String(),
  at: Type.String(),
  type: Type.String(),
  userId: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  country: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
const AuditPageView = Type.Object({
  events: Type.Array(AuditEventView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

function toView(event: AuditEvent) {
  return { ...event, at: new Date(event.at).toISOString() };
}

/** The audit log (API.md, "Administration"): everyone reads their own events; admins read everyone's. */
export function registerAuditRoutes(api: Api, { services, guards }: RouteContext): void {
  api.get(
    '/audit',
    { preHandler: guards.requireSession, schema: { querystring: OwnQuery, response: { 200: AuditPageView } } },
    async (request) => {
      const { type, cursor, limit } = request.query;
      const page = await services.audit.list({
        userId: request.auth!.user.id,
        type: type as AuditEventType | undefined,
        cursor,
        limit: limit ?? 50,
      });
      return { events: page.events.map(toView), nextCursor: page.nextCursor };
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
        type: type as AuditEventType | undefined,
        cursor,
        limit: limit ?? 50,
      });
      return { events: page.events.map(toView), nextCursor: page.nextCursor };
    },
  );
}
