/** Number formatting shared by the tables, the charts' labels and the evidence report. */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const ms = (n: number) => `${n.toFixed(2)} ms`;
export const signed = (n: number, digits = 1) => `${n >= 0 ? '+' : '−'}${fixed(Math.abs(n), digits)}`;

export function table(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const sep = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
