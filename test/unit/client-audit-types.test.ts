import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES as CLIENT_TYPES } from '../../src/client/index.js';
import { AUDIT_EVENT_TYPES } from '../../src/core/audit.js';

// The web app's audit filter shows the client's list (web/src/api-client.ts re-exports it).
describe('the audit event types heimdall-auth/client offers', () => {
  it('are exactly the types the API records, in the same order', () => {
    expect([...CLIENT_TYPES]).toEqual([...AUDIT_EVENT_TYPES]);
  });
});
