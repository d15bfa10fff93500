import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** A port the kernel just handed out on loopback (nginx cannot listen on port 0 and say which it got). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Resolves once something accepts TCP connections on the port, or rejects at the deadline. */
export async function waitForPort(port: number, deadlineMs = 10_000, exited?: () => string | null): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    const reason = exited?.();
    if (reason) throw new Error(reason);
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A self-signed certificate for `localhost` and 127.0.0.1, made by openssl. */
export function makeSelfSignedCertificate(dir: string): { cert: string; key: string; pem: Buffer } {
  const cert = join(dir, 'localhost.crt');
  const key = join(dir, 'localhost.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key, pem: readFileSync(cert) };
}

export interface NginxServer {
  dir: string;
  /** nginx's error log so far (for failure messages). */
  errors(): string;
  stop(): Promise<void>;
}

/**
 * Runs nginx in the foreground with an `http {}` block of our own around `serverConfig` (the part a deployment
 * keeps in conf.d), everything it writes (pid, logs, temp files) in `dir`. Resolves once `port` accepts.
 */
export async function startNginx(dir: string, serverConfig: string, port: number): Promise<NginxServer> {
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const site = join(dir, 'site.conf');
  writeFileSync(site, serverConfig);
  const errorLog = join(dir, 'error.log');
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 256; }
http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${join(dir, 'temp/body')};
    proxy_temp_path ${join(dir, 'temp/proxy')};
    fastcgi_temp_path ${join(dir, 'temp/fastcgi')};
    uwsgi_temp_path ${join(dir, 'temp/uwsgi')};
    scgi_temp_path ${join(dir, 'temp/scgi')};
    include ${site};
}
`,
  );
  const child: ChildProcess = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const errors = () => {
    try {
      return `${stderr}${readFileSync(errorLog, 'utf8')}`;
    } catch {
      return stderr;
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForPort(port, 10_000, () =>
      child.exitCode !== null ? `nginx exited with ${child.exitCode}:\n${errors()}` : null,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { dir, errors, stop };
}
