import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCertificate } from './nginx-server.js';

export interface HttpsProxy {
  /** https://localhost:<port> */
  origin: string;
  port: number;
  /** The self-signed certificate (PEM), for clients that should trust it. */
  ca: Buffer;
  /** SHA-256 of the certificate's public key, base64: Chromium's `--ignore-certificate-errors-spki-list` value. */
  spki: string;
  close(): Promise<void>;
}

/**
 * TLS in front of a plain-HTTP server on loopback, with a self-signed certificate for `localhost`: what a browser
 * needs for features it grants only to HTTPS origins. The proxy listens first (on `port` when given, so a config can
 * name the origin before the backend starts) and forwards each request as it came, Host header included, to the
 * backend `target()` names then, adding `X-Forwarded-Proto: https`.
 */
export async function startHttpsProxy(target: () => number, port = 0): Promise<HttpsProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'heimdall-tls-'));
  const { cert, key, pem } = makeSelfSignedCertificate(dir);
  const server: Server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (incoming, outgoing) => {
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: target(),
        method: incoming.method,
        path: incoming.url,
        headers: { ...incoming.headers, 'x-forwarded-proto': 'https' },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => {
      outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const listening = (server.address() as AddressInfo).port;
  return {
    origin: `https://localhost:${listening}`,
    port: listening,
    ca: pem,
    spki: createHash('sha256')
      .update(createPublicKey(readFileSync(key)).export({ type: 'spki', format: 'der' }))
      .digest('base64'),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
