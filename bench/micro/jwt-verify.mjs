// Where a Bearer request's CPU goes: process CPU per EdDSA (Ed25519) access-token check, with jose's jwtVerify (Web
// Crypto: the signature is checked on libuv's thread pool, a hop there and back per token) one token at a time and
// with several in flight together, against the bare signature check of node:crypto on the calling thread. Run:
//   node bench/micro/jwt-verify.mjs
// What a Bearer request pays the first time it sends a token (later requests with the same token skip the signature
// check: src/core/verified-tokens.ts): the hop's cost per token falls as more tokens are in flight at once, so a
// server answering fewer requests per second pays more CPU per verify for the same jose call.
import { KeyObject, verify } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT } from 'jose';

const TOKENS = 4_000;
const { privateKey, publicKey } = await generateKeyPair('EdDSA');
const token = await new SignJWT({ sid: 'family' })
  .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
  .setIssuedAt()
  .setExpirationTime('5m')
  .setSubject('user')
  .setJti('jti')
  .sign(privateKey);
const options = { algorithms: ['EdDSA'], requiredClaims: ['exp', 'iat', 'sub', 'jti'] };

/** Process CPU (all threads) per token, checking `inFlight` tokens together each round. */
async function cpuPerToken(check, inFlight) {
  const rounds = Math.ceil(TOKENS / inFlight);
  const once = () => Promise.all(Array.from({ length: inFlight }, check));
  for (let i = 0; i < Math.ceil(rounds / 8); i++) await once();
  const started = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await once();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / (rounds * inFlight);
}

const keyObject = KeyObject.from(publicKey);
const [header, payload, signature] = token.split('.');
const signed = Buffer.from(`${header}.${payload}`);
const signatureBytes = Buffer.from(signature, 'base64url');
const rows = [
  ['node:crypto verify (signature only, calling thread)', () => verify(null, signed, keyObject, signatureBytes), 1],
  ['jose jwtVerify, 1 in flight', () => jwtVerify(token, publicKey, options), 1],
  ['jose jwtVerify, 4 in flight', () => jwtVerify(token, publicKey, options), 4],
  ['jose jwtVerify, 16 in flight', () => jwtVerify(token, publicKey, options), 16],
];
for (const [label, check, inFlight] of rows) {
  const us = await cpuPerToken(async () => check(), inFlight);
  process.stdout.write(`${label.padEnd(54)} ${us.toFixed(1).padStart(7)} µs CPU per token\n`);
}
