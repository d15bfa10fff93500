import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisConnection } from '../../src/stores/redis/redis-connection.js';
import { RedisEventBus } from '../../src/stores/redis/redis-event-bus.js';
import { type HeimdallInstance, startInstance } from '../helpers/heimdall-instances.js';
import { HttpClient } from '../helpers/http-client.js';
import { RedisServer } from '../helpers/redis-server.js';

/** Settles with the command's outcome, or 'hung' if it has neither answered nor failed within `ms`. */
async function outcome(command: Promise<unknown>, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms);
  });
  try {
    return await Promise.race([
      command.then((value) => (typeof value === 'number' ? `answered ${value}` : 'answered')).catch(() => 'failed'),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

describe('Redis commands against a Redis that stops answering (REDIS_COMMAND_TIMEOUT_MS)', () => {
  let server: RedisServer;
  let connection: RedisConnection;

  beforeAll(async () => {
    server = await RedisServer.start();
    connection = await RedisConnection.open({ url: server.url, commandTimeoutMs: 300, heartbeatMs: 60_000 });
  });

  afterAll(async () => {
    server?.resume();
    await connection?.close();
    await server?.stop();
  });

  it('fail within the timeout instead of hanging, and work again once Redis answers', async () => {
    await connection.commands.set('deadline:probe', 'one');
    server.pause();
    try {
      const started = Date.now();
      // Plain commands and scripts alike, sent at once and a little later (two deadline windows).
      const first = [
        connection.commands.get('deadline:probe'),
        connection.commands.eval('return 1', { keys: ['deadline:probe'], arguments: [] }),
      ];
      await new Promise((resolve) => setTimeout(resolve, 120));
      const later = connection.commands.get('deadline:probe');
      const outcomes = await Promise.all([...first, later].map((command) => outcome(command, 5_000)));
      expect(outcomes).toEqual(['failed', 'failed', 'failed']);
      // At least the timeout: no command is given up on early.
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      server.resume();
    }
    await expect(connection.commands.get('deadline:probe')).resolves.toBe('one');
  });

  it('the event bus fails its start-up within the timeout instead of hanging it, and starts once Redis answers', async () => {
    server.pause();
    try {
      expect(await outcome(RedisEventBus.open(connection), 5_000)).toBe('failed');
    } finally {
      server.resume();
    }
    const bus = await RedisEventBus.open(connection);
    await bus.close();
  });
});

describe('Heimdall on a Redis that stops answering', () => {
  let redis: RedisServer;
  let heimdall: HeimdallInstance;

  beforeAll(async () => {
    redis = await RedisServer.start();
    heimdall = await startInstance('deadline', { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '300' });
  });

  afterAll(async () => {
    redis?.resume();
    await heimdall?.stop();
    await redis?.stop();
  });

  it('answers reads and sign-ins 503 within the timeout (fail closed, never hanging), and serves again after', async () => {
    const user = new HttpClient();
    expect((await user.register(heimdall.url, 'hung@example.test')).status).toBe(201);
    expect((await user.get(heimdall.url, '/api/session')).status).toBe(200);
    redis.pause();
    try {
      // Until the heartbeat notices (about a second) a read may still be answered from memory; after that every
      // read goes to Redis. No request may hang meanwhile, and reads must end up refused.
      const giveUpAt = Date.now() + 15_000;
      let read: string;
      do {
        read = await outcome(
          user.get(heimdall.url, '/api/session').then((r) => r.status),
          6_000,
        );
        if (read === 'answered 200') await new Promise((resolve) => setTimeout(resolve, 100));
      } while (read === 'answered 200' && Date.now() < giveUpAt);
      expect(read).toBe('answered 503');
      const signIn = new HttpClient().login(heimdall.url, 'hung@example.test').then((r) => r.status);
      expect(await outcome(signIn, 6_000)).toBe('answered 503');
    } finally {
      redis.resume();
    }
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await user.get(heimdall.url, '/api/session')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });
});
