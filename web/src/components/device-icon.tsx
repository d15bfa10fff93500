/** A laptop or a phone, from the OS name the server parsed out of the user agent. */
export function DeviceIcon({ os, kind }: { os: string | null; kind?: string }) {
  const mobile = /android|ios|iphone|ipad/i.test(os ?? '');
  if (kind === 'api') {
    return (
      <svg className="device-icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M8 7 3 12l5 5M16 7l5 5-5 5M14 4l-4 16" />
      </svg>
    );
  }
  return mobile ? (
    <svg className="device-icon" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="6" y="2.5" width="12" height="19" rx="2.5" />
      <path d="M10.5 18.5h3" />
    </svg>
  ) : (
    <svg className="device-icon" viewBox="0 0 24 24" aria-hidden="true">
      <rect x="3.5" y="4.5" width="17" height="11" rx="1.5" />
      <path d="M1.5 19.5h21" />
    </svg>
  );
}
