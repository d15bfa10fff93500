/**
 * heimdall-auth/client: the typed browser client of Heimdall's API (docs/client.md). Browser-safe: no Node import,
 * and the API's types come from the server's schemas by type-only imports.
 */

export type { AccountCalls } from './account-calls.js';
export type { AdminCalls, AuditQuery } from './admin-calls.js';
export { ApiError } from './api-error.js';
export { AUDIT_EVENT_TYPES } from './audit-event-types.js';
export {
  EVENT_TYPES,
  type EventSourceConstructor,
  type EventSourceLike,
  type EventStream,
  type EventStreamOptions,
  openEventStream,
} from './event-stream.js';
export {
  HeimdallClient,
  type HeimdallClientOptions,
  needsSecondFactor,
  type ReauthenticationProof,
  type SecondFactorProof,
} from './heimdall-client.js';
export { BROWSER_CEREMONIES, type PasskeyCeremonies } from './passkey-ceremonies.js';
export type { DownloadedFile, ShopCalls } from './shop-calls.js';
export type { RequestOptions, TransportOptions } from './transport.js';
export type * from './types.js';
