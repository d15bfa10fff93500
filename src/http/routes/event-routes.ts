import type { Readable } from 'node:stream';
import { Type } from 'typebox';
import { HeimdallError } from '../../core/errors.js';
import { ADMIN_ROLE } from '../../core/user-service.js';
import type { Api, RouteContext } from '../route-context.js';
import { IdParam } from '../schemas.js';
import { SseSink } from '../sse-sink.js';

/** How soon a client reconnects after a dropped connection, and after a graceful shutdown (plus jitter). */
const RECONNECT_MS = 3_000;
const SHUTDOWN_RECONNECT_MS = 1_000;

const MessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 1_000, pattern: '\\S' }) },
  { additionalProperties: false },
);

/** Live push (API.md, GET /api/events) and administrators' messages that travel over it. */
export function registerEventRoutes(api: Api, { services, guards }: RouteContext): void {
  const hub = services.streams;

  api.get(
    '/events',
    {
      preHandler: guards.requireSession,
      // A stream is never run through the serializer; the schema documents what the body is.
      schema: { response: { 200: Type.Unsafe<Readable>({ type: 'string', description: 'text/event-stream' }) } },
    },
    async (request, reply) => {
      const sink = new SseSink(RECONNECT_MS);
      let streamId: string | undefined;
      let gone = false;
      // Attached before anything is awaited, so a client that leaves at once is still forgotten.
      reply.raw.on('close', () => {
        gone = true;
        sink.abandon();
        if (streamId) void hub.close(streamId);
      });
      streamId = await hub.open(request.auth!, sink);
      if (gone) {
        await hub.close(streamId);
        return reply.hijack();
      }
      // The first bytes (sent once the stream is registered) tell the client it will see every later event; for a
      // session that ended meanwhile they are followed by its session.revoked and the end.
      return reply.type('text/event-stream; charset=utf-8').header('x-accel-buffering', 'no').send(sink.body);
    },
  );

  // Before Fastify waits for open connections to finish: streams never finish by themselves.
  api.addHook('preClose', async () => {
    await hub.closeAll(() => SHUTDOWN_RECONNECT_MS + Math.floor(Math.random() * 2 * SHUTDOWN_RECONNECT_MS));
  });

  api.post(
    '/admin/users/:id/messages',
    {
      preHandler: guards.requireRole(ADMIN_ROLE),
      schema: { params: IdParam, body: MessageBody, response: { 202: Type.Object({ delivered: Type.Integer() }) } },
    },
    async (request, reply) => {
      const to = await services.users.findById(request.params.id);
      if (!to) throw new HeimdallError('not_found', 'No such user.');
      const result = await services.messages.send(to, request.body.text.trim(), request.auth!.user);
      return reply.code(202).send(result);
    },
  );
}
