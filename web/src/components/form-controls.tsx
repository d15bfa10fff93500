import { type InputHTMLAttributes, type ReactNode, useId } from 'react';

/** A text input with a visible label above it and an optional hint, tied together for assistive technology. */
export function Field({
  label,
  hint,
  ...input
}: { label: string; hint?: ReactNode } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hintId} {...input} />
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A button that says what it is doing while its request runs, and cannot be pressed twice meanwhile. */
export function ActionButton({
  busy,
  busyLabel,
  children,
  variant = 'primary',
  type = 'button',
  onClick,
  disabled,
  ...rest
}: {
  busy: boolean;
  busyLabel: string;
  children: ReactNode;
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  type?: 'button' | 'submit';
  onClick?: () => void;
  disabled?: boolean;
  'aria-label'?: string;
  className?: string;
}) {
  return (
    <button
      {...rest}
      type={type}
      className={`button button-${variant}${rest.className ? ` ${rest.className}` : ''}`}
      disabled={busy || disabled}
      aria-busy={busy || undefined}
      onClick={onClick}
    >
      {busy ? (
        <>
          <span className="spinner" aria-hidden="true" />
          {busyLabel}
        </>
      ) : (
        children
      )}
    </button>
  );
}

/** A message about the form or page above it; errors are announced as soon as they appear. */
export function Alert({ kind, children }: { kind: 'error' | 'success' | 'info' | 'warning'; children: ReactNode }) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** "Show more" under a paged list: a quiet button that loads the next page, shown while there is one. */
export function LoadMore({
  shown,
  busy,
  onClick,
  children,
}: {
  shown: boolean;
  busy: boolean;
  onClick: () => void;
  children: ReactNode;
}) {
  if (!shown) return null;
  return (
    <div className="load-more">
      <ActionButton variant="ghost" busy={busy} busyLabel="Loading…" onClick={onClick}>
        {children}
      </ActionButton>
    </div>
  );
}
