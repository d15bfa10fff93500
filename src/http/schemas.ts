import { Type } from 'typebox';
import { SessionView, UserView } from '../auth/views.js';

/** Response and request schemas shared by routes. Response schemas are what keeps hashes out of every answer. */

/**
 * The contract's names that are not schemas: the error codes the routes answer with and the event types of the
 * stream. The core declares them; a client of the API (heimdall-auth/client) takes them from here, the HTTP face.
 */
export type { ErrorCode } from '../core/errors.js';
export type { PushEventType } from '../core/events.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true }),
  },
  { $id: 'ErrorBody' },
);

export const ListedSessionView = Type.Intersect([SessionView, Type.Object({ current: Type.Boolean() })]);

export const Warning = Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true });

export const SessionEnvelope = Type.Object({
  user: UserView,
  session: SessionView,
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});

export const Email = Type.String({ minLength: 3, maxLength: 320 });
/** An email link's token as the link carries it; its shape is judged by the service (unknown → `invalid_token`). */
export const EmailToken = Type.String({ minLength: 1, maxLength: 512 });
/** The body of a 202: the work was accepted and continues out of band (mail). */
export const Accepted = Type.Object({}, { additionalProperties: false });
/** Length in code points is checked by the password policy; this bound only stops abuse before hashing. */
export const Password = Type.String({ minLength: 1, maxLength: 1024 });
export const Role = Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,31}$' });
export const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });

export { SessionView, toSessionView, toUserView, UserView } from '../auth/views.js';
