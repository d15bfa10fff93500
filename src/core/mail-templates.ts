import type { MailMessage } from './mail.js';

/** What a message says, before it is laid out as plain text and HTML. */
export interface MessageContent {
  subject: string;
  /** "Hello Odin," */
  greeting: string;
  paragraphs: string[];
  /** The one link of a message that has one (never in notices): a button in HTML, a bare URL in text. */
  action?: { label: string; url: string };
  /** After the action: how long it lives, what to do if this was not you. */
  closing: string[];
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "30 minutes", "24 hours", "7 days": how long a link lives, in words. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [size, name] of units) {
    // "24 hours" rather than "1 day": a day counts as such from two on.
    if (ms >= size && ms % size === 0 && (size !== 86_400_000 || ms >= 2 * size)) return plural(ms / size, name);
  }
  return plural(Math.max(1, Math.round(ms / 60_000)), 'minute');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Lays a message out: plain text (what every client can read, and what spam filters expect beside HTML) and a
 * small HTML version with inline styles only. Everything interpolated into the HTML is escaped; the product name
 * signs both.
 */
export function renderMessage(product: string, to: string, content: MessageContent): MailMessage {
  const text = [
    content.greeting,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.action ? [`${content.action.label}:`, content.action.url, ''] : []),
    ...content.closing.flatMap((p) => [p, '']),
    `— ${product}`,
    '',
  ].join('\n');
  const paragraph = (p: string) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`;
  const button = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="background:#3451b2;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(content.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555555">Or paste this address into your browser: ${escapeHtml(content.action.url)}</p>`
    : '';
  const html = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>`,
    '<body style="font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;background:#f6f7f9;margin:0;padding:24px">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:24px 28px">',
    paragraph(content.greeting),
    ...content.paragraphs.map(paragraph),
    button,
    ...content.closing.map(paragraph),
    `<p style="margin:24px 0 0;color:#555555">— ${escapeHtml(product)}</p>`,
    '</div></body></html>',
  ].join('\n');
  return { to, subject: `${content.subject} — ${product}`, text, html };
}
