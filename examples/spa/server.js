// Serves the example SPA on its own origin (PORT, default 5174). Its origin must be in Heimdall's HEIMDALL_ORIGINS,
// on the same site as Heimdall (the session cookie is SameSite=Strict): e.g. http://localhost:5174 beside Heimdall
// at http://localhost:3000. No bundler: the page imports heimdall-auth/client through an import map, served here
// from the installed package or, in this checkout, from ../../dist/client (npm run build).
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.env.PORT ?? 5174);
const HEIMDALL_URL = (process.env.HEIMDALL_URL ?? 'http://localhost:3000').replace(/\/+$/, '');

function clientDir() {
  try {
    return dirname(fileURLToPath(import.meta.resolve('heimdall-auth/client')));
  } catch {
    return join(HERE, '../../dist/client');
  }
}
const CLIENT_DIR = clientDir();

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

function send(response, status, type, body) {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache' });
  response.end(body);
}

createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  if (path === '/' || path === '/index.html') {
    // Where Heimdall is, for app.js.
    const html = readFileSync(join(HERE, 'index.html'), 'utf8').replace('%HEIMDALL_URL%', HEIMDALL_URL);
    return send(response, 200, TYPES['.html'], html);
  }
  if (path === '/app.js') return send(response, 200, TYPES['.js'], readFileSync(join(HERE, 'app.js')));
  if (path.startsWith('/heimdall-client/')) {
    const file = normalize(join(CLIENT_DIR, path.slice('/heimdall-client/'.length)));
    if (file.startsWith(CLIENT_DIR) && extname(file) === '.js' && existsSync(file)) {
      return send(response, 200, TYPES['.js'], readFileSync(file));
    }
  }
  send(response, 404, 'text/plain; charset=utf-8', 'Not found');
}).listen(PORT, '127.0.0.1', () => {
  console.log(`Example SPA on http://localhost:${PORT} (Heimdall at ${HEIMDALL_URL})`);
});
