import { request as httpRequest, type IncomingMessage } from 'node:http';

export interface SseEvent {
  type: string;
  data: unknown;
}

/**
 * A minimal Server-Sent Events reader over a real socket, for tests: records events, comments and retry hints as
 * they arrive, and lets a test wait for the next one with a deadline.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  readonly retries: number[] = [];
  readonly ended: Promise<void>;
  #buffer = '';
  #waiters: (() => void)[] = [];
  #response: IncomingMessage;
  #done = false;

  private constructor(response: IncomingMessage) {
    this.#response = response;
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.#feed(chunk));
    this.ended = new Promise((resolve) => {
      const finish = () => {
        this.#done = true;
        this.#wake();
        resolve();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
    });
  }

  /** Opens a stream; resolves once the server's first bytes (sent after registering the stream) have arrived. */
  static async open(baseUrl: string, headers: Record<string, string>): Promise<SseClient> {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(`${baseUrl}/api/events`, { headers: { accept: 'text/event-stream', ...headers } });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    if (response.statusCode !== 200) {
      response.resume();
      throw new Error(`GET /api/events answered ${response.statusCode}`);
    }
    const client = new SseClient(response);
    await client.waitFor(() => client.comments.includes('connected'), 'the connected comment');
    return client;
  }

  get isEnded(): boolean {
    return this.#done;
  }

  /** Waits until `condition` holds, failing after `timeoutMs`. */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.#done && !condition()) throw new Error(`stream ended before ${what}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first event of this type (waiting for it if needed). */
  async nextEvent(type: string, timeoutMs?: number): Promise<SseEvent> {
    await this.waitFor(() => this.events.some((e) => e.type === type), `event ${type}`, timeoutMs);
    return this.events.find((e) => e.type === type)!;
  }

  close(): void {
    this.#response.destroy();
  }

  #feed(chunk: string): void {
    this.#buffer += chunk;
    let end = this.#buffer.indexOf('\n\n');
    while (end !== -1) {
      this.#parseBlock(this.#buffer.slice(0, end));
      this.#buffer = this.#buffer.slice(end + 2);
      end = this.#buffer.indexOf('\n\n');
    }
    this.#wake();
  }

  #parseBlock(block: string): void {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      else if (line.startsWith('retry:')) this.retries.push(Number(line.slice(6).trim()));
    }
    if (data.length > 0) this.events.push({ type, data: JSON.parse(data.join('\n')) });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
