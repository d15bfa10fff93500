/** JSON calls over a real socket to a Heimdall process that may be killed mid-request. */

export interface HttpSession {
  cookie: string;
  csrfToken: string;
}

/** POST/GET with JSON and an optional session, over a real socket. Network errors (the server died) become null. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  session?: HttpSession,
): Promise<{ status: number; json: Record<string, unknown>; cookie: string | null } | null> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session) {
    headers.cookie = `__Host-heimdall=${session.cookie}`;
    headers['x-csrf-token'] = session.csrfToken;
  }
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const cookie = /__Host-heimdall=([^;]*)/.exec(response.headers.get('set-cookie') ?? '')?.[1] ?? null;
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, cookie };
  } catch {
    return null;
  }
}

export function sessionFrom(answer: { json: Record<string, unknown>; cookie: string | null } | null): HttpSession {
  if (!answer?.cookie || typeof answer.json.csrfToken !== 'string')
    throw new Error(`no session: ${JSON.stringify(answer)}`);
  return { cookie: answer.cookie, csrfToken: answer.json.csrfToken };
}
