import type { LightMyRequestResponse } from 'fastify';
import { type CapturedMail, deliverMail, linkIn, SmtpCapture, tokenOf } from './smtp-capture.js';
import { createTestApp, type TestApp, type TestAppOptions, TestClient } from './test-app.js';

export const PUBLIC_URL = 'https://auth.example.test';

/** A test app whose mail goes over SMTP to a real capture server, and the way to read what it sent. */
export interface MailApp extends TestApp {
  smtp: SmtpCapture;
  /** Sends what was queued (work after answers first, then one worker pass) and returns what arrived. */
  deliver(): Promise<CapturedMail[]>;
  /** Delivers, then the token of the one link of `kind` to `address` (the newest when there are several). */
  tokenFrom(address: string, kind: string): Promise<string>;
  stop(): Promise<void>;
}

const LINK_PATHS: Record<string, string> = {
  verify_email: '/verify-email?token=',
  change_email: '/verify-email?token=',
  password_reset_link: '/reset-password?token=',
  invitation: '/reset-password?token=',
};

/** `smtp`: a capture server to reuse (a restarted Heimdall sending to the same one); stop() leaves it running. */
export async function createMailApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
  reuse?: SmtpCapture,
): Promise<MailApp> {
  const smtp = reuse ?? (await SmtpCapture.start());
  const t = await createTestApp({ SMTP_URL: smtp.url, HEIMDALL_PUBLIC_URL: PUBLIC_URL, ...env }, options);
  const deliver = async () => {
    const before = smtp.messages.length;
    await deliverMail(t.services);
    return smtp.messages.slice(before);
  };
  return Object.assign(t, {
    smtp,
    deliver,
    async tokenFrom(address: string, kind: string) {
      await deliver();
      const mail = smtp.to(address, kind).at(-1);
      if (!mail) throw new Error(`no ${kind} message to ${address}`);
      return tokenOf(linkIn(mail, `${PUBLIC_URL}${LINK_PATHS[kind]}`));
    },
    async stop() {
      await t.close();
      if (!reuse) await smtp.down();
    },
  });
}

/** POST a JSON body as `client` (cookie and CSRF token when it has them). */
export function post(
  client: TestClient,
  url: string,
  payload?: Record<string, unknown>,
): Promise<LightMyRequestResponse> {
  return client.request({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) });
}

/** A client with no session, as a browser that opens a link from a mail. */
export function stranger(app: TestApp['app']): TestClient {
  return new TestClient(app);
}
