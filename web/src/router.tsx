import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/** A router the size of the app's needs: paths in the History API, one event when they change. */
const CHANGE = 'heimdall:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(CHANGE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(CHANGE, onChange);
  };
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** A link within the app; `section` marks it current on the pages under it too (`/admin/` for /admin/audit). */
export function Link({
  to,
  section,
  ...props
}: { to: string; section?: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const path = usePath();
  const current = path === to || (section !== undefined && path.startsWith(section));
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={to} aria-current={current ? 'page' : undefined} onClick={onClick} />;
}
