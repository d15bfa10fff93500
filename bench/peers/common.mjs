// What every peer shares: the user the authenticated read returns, and how it listens. Each peer follows its own
// library's documented setup; only this JSON and the routes' names are common, so that every stack does the same
// work: check the credential, answer GET /me with the same small user JSON.
export const USER = { id: 'usr_01JDBENCH0DIN', email: 'odin@asgard.example', name: 'Odin' };
export const PASSWORD = 'bench horse battery staple 42';

export const port = Number(process.env.PORT ?? 3000);
export const host = '127.0.0.1';

/** Stops cleanly on SIGTERM so the harness can reuse the port at once. */
export function stopOn(close) {
  process.once('SIGTERM', () => {
    Promise.resolve(close()).finally(() => process.exit(0));
  });
}
