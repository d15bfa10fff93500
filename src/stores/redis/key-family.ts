/**
 * A family of Redis keys `<prefix>{<tag>}` (the braces make the tag Redis Cluster's hash tag, so each key's slot is
 * its tag alone). `key` names a key of the family; `tagOf` reads the tag back out of one, and gives any other key as it
 * is: how an in-process cache that holds entries under the bare tag reads Redis' invalidation of the key.
 */
export interface KeyFamily {
  key(tag: string): string;
  tagOf(key: string): string;
}

export function keyFamily(prefix: string): KeyFamily {
  const open = `${prefix}{`;
  return {
    key: (tag) => `${open}${tag}}`,
    tagOf: (key) => (key.startsWith(open) && key.endsWith('}') ? key.slice(open.length, -1) : key),
  };
}
