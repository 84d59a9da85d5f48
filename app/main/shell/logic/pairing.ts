// "Connect this host…" from the tray: which pipedai-api to pair with, and the dialog that shows
// the code while the person approves it in the browser.
import {
  DEFAULT_API_URL,
  normalizeApiUrl,
  type FusedWorker,
  type PairingStart,
} from '../../../shared/index.ts';

/** The configured API (PIPEDAI_API_URL), else the one this host's workers use, else production. */
export function pairingApiUrl(
  configured: string | undefined,
  workers: readonly FusedWorker[] | null,
): string {
  if (configured) return configured;
  // Stryker disable next-line ArrayDeclaration: any list without a workspace worker finds no API URL, as none does
  const known = (workers ?? []).find((w) => w.mode === 'workspace')?.apiUrl;
  return known ? normalizeApiUrl(known) : DEFAULT_API_URL;
}

export type PairingChoice = 'close' | 'reopen' | 'cancel';

export function pairingDialog(p: PairingStart, opened: boolean) {
  const expires = new Date(p.expiresAt);
  const until = Number.isNaN(expires.getTime())
    ? ''
    : ` The code expires at ${expires.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`;
  return {
    type: 'info' as const,
    title: 'Connect this host',
    message: `Approve code ${p.userCode}`,
    detail: `${
      opened
        ? 'The approval page is open in your browser.'
        : `Open ${p.verificationUri} in your browser and enter the code.`
    } Check that it shows ${p.userCode}, then approve. This host appears in the tray once approved.${until}`,
    buttons: ['OK', 'Open the page again', 'Cancel pairing'],
    defaultId: 0,
    cancelId: 0,
  };
}

export function pairingChoice(buttonIndex: number): PairingChoice {
  return buttonIndex === 1 ? 'reopen' : buttonIndex === 2 ? 'cancel' : 'close';
}
