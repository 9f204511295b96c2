// Sync feedback driven by the back end's pushed events: `sync:progress` moves the progress bar
// (one step per account), and `mail:new` shows a toast and, in the browser shell once the user
// allowed it, a system notification through the Notification API. Under Electron, main shows
// the notification itself and the renderer's permission requests are denied, so it adds none.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { MailApiEvents } from '../../api/types.ts';
import type { MailApiClient } from '../api-client.ts';
import { countOf } from '../plural.ts';

export type SyncProgress = MailApiEvents['sync:progress'];

// The finished bar stays this long, so a quick sync is still seen to complete.
const FINISHED_VISIBLE_MS = 800;

/** Returns the current progress (null when idle) and the functions that bracket one sync. */
export function useSyncProgress(client: MailApiClient) {
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  const hideTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const hideLater = useCallback(() => {
    if (hideTimer.current) clearTimeout(hideTimer.current);
    hideTimer.current = setTimeout(() => setProgress(null), FINISHED_VISIBLE_MS);
  }, []);

  // Events also arrive for syncs that another window started, so the last step hides the bar.
  useEffect(
    () =>
      client.subscribe('sync:progress', (payload) => {
        if (hideTimer.current) clearTimeout(hideTimer.current);
        setProgress(payload);
        if (payload.total > 0 && payload.done >= payload.total) hideLater();
      }),
    [client, hideLater],
  );

  const started = useCallback(() => {
    if (hideTimer.current) clearTimeout(hideTimer.current);
    setProgress({ account: '', done: 0, total: 0 });
  }, []);

  // A failed sync sends no last step, so the caller ends it here too.
  const finished = useCallback(() => {
    setProgress((current) => current && { ...current, done: current.total });
    hideLater();
  }, [hideLater]);

  return { progress, started, finished };
}

/** Calls `toast` for each `mail:new` event and shows a system notification where allowed. */
export function useNewMailNotices(client: MailApiClient, toast: (text: string) => void) {
  useEffect(
    () =>
      client.subscribe('mail:new', ({ account, count }) => {
        const text = `${count} new message${count === 1 ? '' : 's'} for ${account}`;
        toast(text);
        if (!window.sealpost && notificationPermission() === 'granted') {
          // The body names the account only; subjects stay inside the app.
          new Notification('Sealpost', { body: text, tag: `sealpost-new-mail-${account}` });
        }
      }),
    [client, toast],
  );
}

/** Returns the Notification API's permission, or null where the API is missing (e.g. some webviews). */
export function notificationPermission(): NotificationPermission | null {
  return 'Notification' in window ? Notification.permission : null;
}

/**
 * A toolbar button that requests notification permission. It is hidden once notifications are
 * allowed. When the browser or the user blocked them, a note explains how to allow them.
 */
export function NotificationButton() {
  const [permission, setPermission] = useState(notificationPermission());
  if (window.sealpost || permission === null || permission === 'granted') return null;
  if (permission === 'denied') {
    return (
      <span className="hint" role="status">
        Notifications are blocked; allow them for this page in the browser&apos;s site settings.
      </span>
    );
  }
  return (
    <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Notify me of new mail
    </button>
  );
}

export function SyncProgressBar({ progress }: { progress: SyncProgress | null }) {
  const fraction = progress === null || progress.total === 0 ? 0 : progress.done / progress.total;
  const text =
    progress === null
      ? undefined
      : progress.account === ''
        ? `Sync started, ${countOf(progress.total, 'account')}`
        : `${progress.done} of ${countOf(progress.total, 'account')} synced, last ${progress.account}`;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label="Sync progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={progress === null ? undefined : Math.round(fraction * 100)}
      aria-valuetext={text}
      hidden={progress === null}
    >
      <div style={{ width: `${Math.max(5, fraction * 100)}%` }} />
    </div>
  );
}
