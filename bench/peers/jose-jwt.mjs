// Stateless: a JWT in `Authorization: Bearer`, checked with jose in Fastify. The verifying key is imported once at
// start (createSecretKey / generateKeyPair), as jose's docs advise; nothing is looked up per request.
import { createSecretKey, randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { host, port, stopOn, USER } from './common.mjs';

const alg = process.env.JWT_ALG ?? 'HS256';
const ttlSec = Number(process.env.JWT_TTL_SEC ?? 900);
const issuer = 'https://auth.bench.example';
const audience = 'https://api.bench.example';

let signingKey;
let verifyingKey;
if (alg === 'HS256') {
  signingKey = verifyingKey = createSecretKey(randomBytes(32));
} else {
  const pair = await generateKeyPair(alg);
  signingKey = pair.privateKey;
  verifyingKey = pair.publicKey;
}

const app = Fastify({ logger: false });

// Sign-in is not what is measured; it only hands the harness a token with the usual claims.
app.post('/login', async () => {
  const token = await new SignJWT({ email: USER.email, name: USER.name })
    .setProtectedHeader({ alg })
    .setSubject(USER.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setJti(randomBytes(16).toString('base64url'))
    .setExpirationTime(`${ttlSec}s`)
    .sign(signingKey);
  return { token };
});

app.get('/me', async (request, reply) => {
  const header = request.headers.authorization;
  if (!header?.startsWith('Bearer ')) return reply.code(401).send({ error: 'unauthenticated' });
  try {
    const { payload } = await jwtVerify(header.slice(7), verifyingKey, { issuer, audience, algorithms: [alg] });
    return { id: payload.sub, email: payload.email, name: payload.name };
  } catch {
    return reply.code(401).send({ error: 'unauthenticated' });
  }
});

await app.listen({ port, host });
stopOn(() => app.close());
