// What remembering verified access tokens costs and saves (src/core/verified-tokens.ts, used by JwtService.verify):
// heap per remembered token with its claims, at the bound of 4,096, and CPU per recall against a full jwtVerify of
// the same token. Tokens shaped like Heimdall's (EdDSA, kid, iss, aud, sub, jti, sid, roles). Run after `npm run
// build` with the collector exposed, so that heap is measured after a full collection:
//   node --expose-gc bench/micro/remembered-tokens.mjs
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const root = resolve(new URL('../..', import.meta.url).pathname);
const { VerifiedTokens } = await import(pathToFileURL(resolve(root, 'dist', 'core', 'verified-tokens.js')).href);

const BOUND = 4_096;
const KID = 'k'.repeat(43);
const { privateKey, publicKey } = await generateKeyPair('EdDSA');
const sign = (i) =>
  new SignJWT({ sid: `fam_${String(i).padStart(18, '0')}`, roles: ['user'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: KID, typ: 'at+jwt' })
    .setIssuer('https://heimdall.example.com')
    .setAudience('api')
    .setSubject(`01a23e8f-1f3d-7c8e-b3a5-${String(i).padStart(12, '0')}`)
    .setJti(`j${String(i).padStart(21, '0')}`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

const memo = new VerifiedTokens(BOUND);
globalThis.gc();
const before = process.memoryUsage().heapUsed;
let sample = '';
for (let i = 0; i < BOUND; i++) {
  const token = await sign(i);
  const { payload } = await jwtVerify(token, publicKey);
  // The token as a request delivers it: its own string, not one shared with the signer.
  sample = Buffer.from(token).toString('latin1');
  memo.remember(sample, { claims: Object.freeze(payload), kid: KID, verifiedAt: 0, reuseUntil: Number.MAX_VALUE });
}
globalThis.gc();
const perToken = (process.memoryUsage().heapUsed - before) / BOUND;

async function cpuPer(rounds, run) {
  for (let i = 0; i < rounds / 10; i++) await run();
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await run();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / rounds;
}
// Each request brings its own copy of the string, whose hash V8 computes on the first lookup: made the same way in
// both loops, and its making subtracted.
const request = () => Buffer.from(sample).toString('latin1');
const making = await cpuPer(200_000, () => request().length);
const recall = (await cpuPer(200_000, () => memo.recall(request(), 1))) - making;
const verify = await cpuPer(4_000, () => jwtVerify(request(), publicKey));

process.stdout.write(
  `tokens of ${sample.length} characters\n` +
    `heap per remembered token, claims included: ${perToken.toFixed(0)} B (${((perToken * BOUND) / 1e6).toFixed(1)} MB at the bound of ${BOUND})\n` +
    `CPU per recall (a hit): ${recall.toFixed(2)} µs; per jwtVerify of the same token: ${verify.toFixed(1)} µs (process CPU, all threads)\n`,
);
