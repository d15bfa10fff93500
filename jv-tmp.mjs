import { generateKeyPairSync, sign, verify, KeyObject } from 'node:crypto';
import { generateKeyPair, jwtVerify, SignJWT, exportJWK } from 'jose';
const { privateKey, publicKey } = await generateKeyPair('EdDSA');
const token = await new SignJWT({ sid: 'x' }).setProtectedHeader({ alg: 'EdDSA', kid: 'k' }).setIssuedAt().setExpirationTime('5m').setSubject('s').setJti('j').sign(privateKey);
async function run(label, fn, n = 4000) {
  for (let i = 0; i < 500; i++) await fn();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  console.log(label, 'cpu µs/op', ((c.user + c.system) / n).toFixed(1), 'wall µs/op', (t * 1000 / n).toFixed(1));
}
const ko = KeyObject.from(publicKey);
const [h, p, s] = token.split('.');
const data = Buffer.from(`${h}.${p}`); const sig = Buffer.from(s, 'base64url');
await run('node:crypto sync verify', async () => { if (!verify(null, data, ko, sig)) throw 1; });
await run('jose key', () => jwtVerify(token, publicKey));
await run('jose KeyObject', () => jwtVerify(token, ko));
await run('jose key x10', async () => { await Promise.all(Array.from({ length: 10 }, () => jwtVerify(token, publicKey))); }, 400);
