// Heimdall's answer to GET /api/session from a bare Fastify route, with no session check (answer-shape.mjs).
import Fastify from 'fastify';
import { ANSWER, answerHeaders } from './answer-shape.mjs';
import { host, port, stopOn } from './common.mjs';

const app = Fastify({ logger: false });
app.get('/me', async (_request, reply) => {
  reply.headers(answerHeaders());
  return ANSWER;
});
await app.listen({ port, host });
stopOn(() => app.close());
