import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtherApp {
  origin: string;
  /** Where its pages find Heimdall (set once Heimdall listens: Heimdall's HEIMDALL_ORIGINS names this app first). */
  heimdall: string;
  close(): Promise<void>;
}

/**
 * Another app of the system on another origin of the same site (localhost, another port): it asks Heimdall who is
 * signed in (CORS, the session cookie going along), and sends signed-out visitors to Heimdall's sign-in page with
 * `returnTo` = its own /back page.
 */
export async function startOtherApp(): Promise<OtherApp> {
  const app = { origin: '', heimdall: '', close: async () => {} };
  const page = () => `<!doctype html><html><head><title>Other app</title></head><body>
<p id="status">Checking…</p><a id="sign-in" hidden>Sign in with Heimdall</a>
<script>
  const heimdall = ${JSON.stringify(app.heimdall)};
  fetch(heimdall + '/api/session', { credentials: 'include' }).then(async (answer) => {
    const status = document.getElementById('status');
    if (answer.ok) {
      status.textContent = 'Signed in as ' + (await answer.json()).user.email + ' at ' + location.pathname;
      return;
    }
    status.textContent = 'Signed out';
    const link = document.getElementById('sign-in');
    link.href = heimdall + '/signin?returnTo=' + encodeURIComponent(location.origin + '/back?from=heimdall');
    link.hidden = false;
  });
</script></body></html>`;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  app.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return app;
}
