import type { TSchema } from 'typebox';
import { SessionView, UserView } from '../auth/views.js';
import { AuditEventView } from './routes/audit-routes.js';
import { SecondFactorAsked } from './routes/auth-routes.js';
import { IdentityView } from './routes/oidc-routes.js';
import { PasskeyView } from './routes/passkey-routes.js';
import { ProductView, PurchaseView } from './routes/product-routes.js';
import { TokenPairView } from './routes/token-routes.js';
import { ListedSessionView, Warning } from './schemas.js';

/**
 * The schemas that several operations share, by the name they get in `components.schemas`. The routes keep using
 * the TypeBox schemas themselves (their validators and serializers are unchanged); the document refers to these
 * by `$ref` wherever one appears whole.
 */
export const SHARED_SCHEMAS: Record<string, TSchema> = {
  User: UserView,
  Session: SessionView,
  ListedSession: ListedSessionView,
  Warning,
  SecondFactorRequired: SecondFactorAsked,
  TokenPair: TokenPairView,
  Passkey: PasskeyView,
  Identity: IdentityView,
  AuditEvent: AuditEventView,
  Product: ProductView,
  Purchase: PurchaseView,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * As @fastify/swagger writes a schema into the document: `const` becomes a one-value `enum`, and a record's
 * catch-all `patternProperties` becomes `additionalProperties`.
 */
function asDocumented(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(asDocumented);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) {
    const pattern = value as Record<string, Json>;
    if (key === 'const') out.enum = [value];
    else if (key === 'patternProperties' && Object.keys(pattern).join() === '^.*$')
      out.additionalProperties = asDocumented(pattern['^.*$'] as Json);
    else out[key] = asDocumented(value);
  }
  return out;
}

/** JSON with sorted keys: two schemas that say the same thing compare equal. */
function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k] as Json)}`).join(',')}}`;
}

/**
 * Moves the shared schemas into `components.schemas` and replaces each whole occurrence in the document (in
 * paths and inside the other components) with a `$ref` to it.
 */
export function hoistSharedSchemas(document: Record<string, unknown>): Record<string, unknown> {
  const components = Object.entries(SHARED_SCHEMAS).map(([name, schema]) => {
    const documented = asDocumented(JSON.parse(JSON.stringify(schema)) as Json);
    return { name, documented, key: canonical(documented) };
  });
  const byKey = new Map(components.map((c) => [c.key, c.name]));
  const replace = (node: Json, isRoot: boolean): Json => {
    if (node === null || typeof node !== 'object') return node;
    if (!isRoot && !Array.isArray(node)) {
      const name = byKey.get(canonical(node));
      if (name) return { $ref: `#/components/schemas/${name}` };
    }
    if (Array.isArray(node)) return node.map((n) => replace(n, false));
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, replace(v, false)]));
  };
  const existing = (document.components ?? {}) as Record<string, Json>;
  const schemas: Record<string, Json> = { ...((existing.schemas ?? {}) as Record<string, Json>) };
  for (const { name, documented } of components) schemas[name] = replace(documented, true);
  return {
    ...document,
    paths: replace(document.paths as Json, true),
    components: { ...existing, schemas },
  };
}
