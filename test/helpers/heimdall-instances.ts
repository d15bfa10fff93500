import { startHeimdallProcess, tempDir } from './heimdall-process.js';

/** One of several real Heimdall processes sharing stores (multi-instance tests). */
export interface HeimdallInstance {
  name: string;
  url: string;
  /** SIGTERM, wait for the exit, remove its working directory. */
  stop(): Promise<void>;
}

/** Instances that share a database must share the secret that encrypts signing keys. */
const SHARED_SECRET = 'test-secret-test-secret-test-secret-0123';

/** Starts `node dist/main.js` in its own temp directory with the given stores (DATABASE_URL, REDIS_URL, …). */
export async function startInstance(name: string, env: Record<string, string>): Promise<HeimdallInstance> {
  const dir = tempDir(`heimdall-${name}-`);
  try {
    const process = await startHeimdallProcess({ HEIMDALL_SECRET: SHARED_SECRET, ...env }, dir.dir);
    return {
      name,
      url: process.url,
      async stop() {
        await process.stop();
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}
