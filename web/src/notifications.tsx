import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from 'react';

export type NotificationKind = 'info' | 'success' | 'warning' | 'message';

export interface NotificationInput {
  kind: NotificationKind;
  title: string;
  text?: string;
  /** Stays until dismissed (messages and warnings); others fade after a few seconds. */
  sticky?: boolean;
}

interface Notification extends NotificationInput {
  id: number;
}

const AUTO_DISMISS_MS = 8_000;
const NotificationsContext = createContext<((input: NotificationInput) => void) | null>(null);

/** Toasts in one polite live region that exists from the start, so screen readers announce each new one. */
export function NotificationsProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<Notification[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Set<number>());

  const dismiss = useCallback((id: number) => setItems((list) => list.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (input: NotificationInput) => {
      const id = nextId.current++;
      setItems((list) => [...list.slice(-4), { ...input, id }]);
      if (!input.sticky) {
        const timer = window.setTimeout(() => {
          timers.current.delete(timer);
          dismiss(id);
        }, AUTO_DISMISS_MS);
        timers.current.add(timer);
      }
    },
    [dismiss],
  );
  useEffect(() => {
    const pending = timers.current;
    return () => {
      for (const timer of pending) window.clearTimeout(timer);
    };
  }, []);

  return (
    <NotificationsContext.Provider value={notify}>
      {children}
      <section className="toasts" aria-label="Notifications" aria-live="polite">
        {items.map((item) => (
          <div
            key={item.id}
            className={`toast toast-${item.kind}`}
            role={item.kind === 'warning' ? 'alert' : undefined}
          >
            <div className="toast-body">
              <strong className="toast-title">{item.title}</strong>
              {item.text ? <p className="toast-text">{item.text}</p> : null}
            </div>
            <button
              type="button"
              className="toast-close"
              aria-label={`Dismiss: ${item.title}`}
              onClick={() => dismiss(item.id)}
            >
              ×
            </button>
          </div>
        ))}
      </section>
    </NotificationsContext.Provider>
  );
}

export function useNotify(): (input: NotificationInput) => void {
  const notify = useContext(NotificationsContext);
  if (!notify) throw new Error('useNotify() outside <NotificationsProvider>');
  return notify;
}
