import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../../src/core/audit.js';
import { AUDIT_EVENT_TYPES as WEB_TYPES } from '../../web/src/audit-event-types.js';

describe('the web app’s audit log filter', () => {
  it('offers exactly the event types the API records, in the same order', () => {
    expect([...WEB_TYPES]).toEqual([...AUDIT_EVENT_TYPES]);
  });
});
