import { PassThrough } from 'node:stream';
import type { EventSink } from '../core/stream-hub.js';

/** Bytes a client may fall behind by before its stream is dropped: a stalled reader must not grow our memory. */
const MAX_BUFFERED_BYTES = 256 * 1024;

/**
 * Server-Sent Events (HTML Living Standard §9.2) over a stream that Fastify pipes to the response. Event names are
 * ours and data is one line of JSON, so nothing written can break the framing.
 */
export class SseSink implements EventSink {
  readonly body = new PassThrough();
  #closed = false;

  /** `retryMs` is the reconnection delay the client uses when the connection drops. */
  constructor(retryMs: number) {
    this.body.write(`retry: ${retryMs}\n: connected\n\n`);
  }

  get closed(): boolean {
    return this.#closed || this.body.destroyed;
  }

  send(type: string, data: unknown): boolean {
    return this.#write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  heartbeat(): boolean {
    return this.#write(': heartbeat\n\n');
  }

  close(retryMs?: number): void {
    if (this.closed) return;
    this.#closed = true;
    if (retryMs) this.body.write(`retry: ${retryMs}\n\n`);
    this.body.end();
  }

  /** The connection is gone: nothing more can be written. */
  abandon(): void {
    this.#closed = true;
    this.body.destroy();
  }

  #write(text: string): boolean {
    if (this.closed) return false;
    this.body.write(text);
    return this.body.writableLength <= MAX_BUFFERED_BYTES;
  }
}
