import { useEffect, useState } from 'react';
import { checkReturnTo, returnToParam } from '../return-to.js';
import { Alert } from './form-controls.js';

/** "You will go back to app.example.com": shown when another app sent the browser here and the server allows it. */
export function ReturnToNotice() {
  const [host, setHost] = useState<string | null>(null);
  useEffect(() => {
    const raw = returnToParam();
    if (!raw) return;
    let live = true;
    void checkReturnTo(raw).then((target) => {
      if (live && target && !target.startsWith('/')) setHost(new URL(target).host);
    });
    return () => {
      live = false;
    };
  }, []);
  return host ? <Alert kind="info">After signing in you will go back to {host}.</Alert> : null;
}
