import { ActionButton } from '../../components/form-controls.js';

/** Hands the codes to the browser's downloads as a text file, made in the page (nothing leaves it). */
function download(codes: string[]): void {
  const text = [
    'Heimdall recovery codes',
    `Saved ${new Date().toISOString()}`,
    'Each code works once, in place of a code from your authenticator app or a passkey.',
    '',
    ...codes,
    '',
  ].join('\n');
  const href = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const anchor = document.createElement('a');
  anchor.href = href;
  anchor.download = 'heimdall-recovery-codes.txt';
  anchor.click();
  window.setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/**
 * New recovery codes, shown once: the server keeps only digests, so this is the only time they can be read. They can
 * be downloaded; "I have saved them" puts them away for good.
 */
export function RecoveryCodesPanel({ codes, onDone }: { codes: string[]; onDone(): void }) {
  return (
    <section className="recovery-codes" aria-labelledby="new-codes-heading">
      <h3 id="new-codes-heading">Your new recovery codes</h3>
      <p className="hint">
        Save them somewhere safe now: they are shown only this once. Each works one time, if you lose your authenticator
        app or passkeys.
      </p>
      <ol className="code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="actions">
        <ActionButton variant="secondary" busy={false} busyLabel="" onClick={() => download(codes)}>
          Download codes
        </ActionButton>
        <ActionButton busy={false} busyLabel="" onClick={onDone}>
          I have saved them
        </ActionButton>
      </div>
    </section>
  );
}
