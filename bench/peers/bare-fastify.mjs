// The floor: Fastify answering GET /me with fixed JSON and no authentication at all.
import Fastify from 'fastify';
import { host, port, stopOn, USER } from './common.mjs';

const app = Fastify({ logger: false });
app.get('/me', async () => USER);
await app.listen({ port, host });
stopOn(() => app.close());
