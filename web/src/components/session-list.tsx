import type { ListedSession } from '../api-client.js';
import { countryName, deviceName, formatDateTime, formatRelative } from '../format.js';
import { providerLabel, useProviders } from '../providers.js';
import { DeviceIcon } from './device-icon.js';
import { ActionButton } from './form-controls.js';

/**
 * Sessions as a list of devices: what it is, where from, since when, last seen. Used for one's own devices and by
 * administrators for anyone's.
 */
export function SessionList({
  sessions,
  busyId,
  actionLabel,
  busyLabel,
  onEnd,
  currentLabel = 'This device',
  allowEndCurrent = false,
}: {
  sessions: ListedSession[];
  busyId: string | null;
  actionLabel: string;
  busyLabel: string;
  onEnd(session: ListedSession): void;
  currentLabel?: string;
  allowEndCurrent?: boolean;
}) {
  const providers = useProviders();
  return (
    <ul className="sessions">
      {sessions.map((session) => {
        const name = deviceName(session);
        return (
          <li key={session.id} className={`session${session.current ? ' session-current' : ''}`}>
            <DeviceIcon os={session.os} kind={session.kind} />
            <div className="session-main">
              <div className="session-title">
                <strong>{name}</strong>
                {session.current ? <span className="badge badge-current">{currentLabel}</span> : null}
                {session.rememberMe ? <span className="badge">Remembered</span> : null}
                {session.deviceBound ? (
                  <span
                    className="badge"
                    title="Bound to a key this browser keeps: a copy of its cookie stops working within minutes"
                  >
                    Bound to device
                  </span>
                ) : null}
                {session.provider ? (
                  <span className="badge">via {providerLabel(providers, session.provider)}</span>
                ) : null}
              </div>
              <div className="session-meta">
                <span title="IP address">{session.ip || 'IP unknown'}</span>
                <span aria-hidden="true">·</span>
                <span>{session.country ? countryName(session.country) : 'Country unknown'}</span>
              </div>
              <div className="session-meta">
                <span>
                  Signed in <time dateTime={session.createdAt}>{formatDateTime(session.createdAt)}</time>
                </span>
                <span aria-hidden="true">·</span>
                <span>
                  Last active{' '}
                  <time dateTime={session.lastSeenAt} title={formatDateTime(session.lastSeenAt)}>
                    {formatRelative(session.lastSeenAt)}
                  </time>
                </span>
              </div>
            </div>
            {!session.current || allowEndCurrent ? (
              <ActionButton
                variant="secondary"
                busy={busyId === session.id}
                busyLabel={busyLabel}
                aria-label={`${actionLabel}: ${name}, signed in ${formatDateTime(session.createdAt)}`}
                onClick={() => onEnd(session)}
              >
                {actionLabel}
              </ActionButton>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
