import type { SharedDeadlines } from '../../core/shared-deadlines.js';

/** The commands Heimdall's Redis stores use: one narrow shape over a single client and a cluster alike. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(
    key: string,
    value: string,
    options?: { expiration?: { type: 'PX' | 'PXAT'; value: number } | 'KEEPTTL'; condition?: 'NX' | 'XX' },
  ): Promise<string | null>;
  getDel(key: string): Promise<string | null>;
  del(key: string | string[]): Promise<number>;
  zRange(key: string, min: number | string, max: number | string): Promise<string[]>;
  zAdd(key: string, members: { score: number; value: string }[]): Promise<number>;
  zRem(key: string, members: string | string[]): Promise<number>;
  zCount(key: string, min: number | string, max: number | string): Promise<number>;
  zRemRangeByScore(key: string, min: number | string, max: number | string): Promise<number>;
  pExpire(key: string, ms: number): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  sPublish(channel: string, message: string): Promise<number>;
}

/** Each command of `target`, failing once its deadline passes unanswered (see SharedDeadlines). */
export function withDeadlines(target: RedisCommands, deadlines: SharedDeadlines): RedisCommands {
  return {
    get: (key) => deadlines.guard(target.get(key)),
    set: (key, value, options) => deadlines.guard(target.set(key, value, options)),
    getDel: (key) => deadlines.guard(target.getDel(key)),
    del: (key) => deadlines.guard(target.del(key)),
    zRange: (key, min, max) => deadlines.guard(target.zRange(key, min, max)),
    zAdd: (key, members) => deadlines.guard(target.zAdd(key, members)),
    zRem: (key, members) => deadlines.guard(target.zRem(key, members)),
    zCount: (key, min, max) => deadlines.guard(target.zCount(key, min, max)),
    zRemRangeByScore: (key, min, max) => deadlines.guard(target.zRemRangeByScore(key, min, max)),
    pExpire: (key, ms) => deadlines.guard(target.pExpire(key, ms)),
    eval: (script, options) => deadlines.guard(target.eval(script, options)),
    publish: (channel, message) => deadlines.guard(target.publish(channel, message)),
    sPublish: (channel, message) => deadlines.guard(target.sPublish(channel, message)),
  };
}
