/**
 * One line for an error and the causes behind it, for start-up failures: "could not open X: connect ECONNREFUSED
 * 127.0.0.1:5432" rather than the outermost message alone. An AggregateError (a connection tried on several
 * addresses) lists its errors; a cause already quoted in the message above it is not repeated.
 */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    const text = messageOf(current);
    if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || String(error);
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const inner = error.errors.map(messageOf).filter(Boolean);
    return [error.message, inner.join('; ')].filter(Boolean).join(': ');
  }
  if (error instanceof Error) return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}
