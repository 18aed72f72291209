/**
 * Step 3 of the sync job (ARCHITECTURE.md): fetch the mailbox's calendar through its profile,
 * failing over to the other profiles that serve its domain, and tell the three ways it can fail
 * apart: positive evidence that the user is gone, a refusal (not evidence), or every serving
 * profile's circuit open (profile-circuit.ts). A token is only offered to the profile that issued it.
 */
import { AppError } from '../../errors/app-error.js';
import type { CalendarWindow } from '../../domain/calendar-window.js';
import type { CalendarProvider, FetchCalendarResult } from '../../providers/calendar-provider.js';
import type { StoredMailbox } from '../../store/mailbox-repository.js';
import { circuitOf, claimProbe, recordRefusal, recordSuccess } from './profile-circuit.js';
import { seriesMemoryFor } from './series-memory.js';
import type { SyncDeps } from '../sync-deps.js';

/**
 * Every profile serving the domain says the mailbox does not exist (positive evidence), or no
 * profile serves the domain: report it as an invalid address.
 */
export interface MailboxUnavailable {
  readonly kind: 'unavailable';
  readonly reason: string;
}

/**
 * A provider refused the mailbox (401 / 403, revoked delegation, bad credentials) without
 * saying it is gone: not evidence, so CMG keeps what it holds (ARCHITECTURE.md "Failure containment").
 */
export interface MailboxRefused {
  readonly kind: 'refused';
  readonly reason: string;
  /** Some refusing profile's circuit is open: the fault is the profile's, not the mailbox's. */
  readonly circuitOpen: boolean;
}

/** Every serving profile's circuit is open and none is due a probe: no provider was called. */
export interface MailboxHeld {
  readonly kind: 'held';
  readonly reason: string;
}

/**
 * Refusal codes that are the provider's positive evidence that the mailbox does not exist: no
 * such mailbox or calendar, or (Graph, addresses not resolved) no user by this name.
 */
const NOT_FOUND = new Set(['mailbox-not-found', 'address-not-upn']);

/** A provider's quota for the day used up (Google: google-errors.ts); back only when the day's quota resets. */
const QUOTA_EXHAUSTED = 'quota-exhausted';

export async function fetchWithFailover(
  deps: SyncDeps,
  mailbox: StoredMailbox,
  window: CalendarWindow,
  incremental: boolean,
): Promise<{ kind: 'fetched'; provider: CalendarProvider; result: FetchCalendarResult } | MailboxUnavailable | MailboxRefused | MailboxHeld> {
  const candidates = deps.providers.candidatesFor(mailbox.domain, mailbox.profile);
  if (candidates.length === 0) return { kind: 'unavailable', reason: `no connection profile serves ${mailbox.domain}` };
  const evidence: string[] = [];
  const refusals: string[] = [];
  const held: string[] = [];
  let circuitOpen = false;
  for (const provider of candidates) {
    const profile = provider.profileName;
    const circuit = await circuitOf(deps, profile);
    if (circuit.open && !(circuit.probeDue && (await claimProbe(deps, profile)))) {
      held.push(`profile ${profile} is failing (${circuit.code ?? 'refused'}); waiting for its next probe`);
      continue;
    }
    // A token is only meaningful to the profile that issued it.
    const token = incremental && profile === mailbox.profile ? mailbox.syncToken : undefined;
    try {
      const result = await fetchOnce(deps, provider, mailbox, window, token);
      await recordSuccess(deps, profile);
      return { kind: 'fetched', provider, result };
    } catch (error) {
      // A day's quota is the project's, so the profile's, not the mailbox's: it counts on the
      // circuit like a refusal, and once enough mailboxes met it the profile's jobs stop spending
      // requests until a probe finds the quota back. Until then the job fails as transient (its
      // mailbox backs off); once the circuit is open it is held, like every other job of the
      // profile, so that hours without quota do not use up the mailboxes' attempts.
      if (error instanceof AppError && error.code === QUOTA_EXHAUSTED) {
        if (!(await recordRefusal(deps, profile, mailbox.key, error.code)).open) throw error;
        held.push(`profile ${profile} has no quota left (${error.message}); waiting for its next probe`);
        continue;
      }
      // A bad credential or a missing permission is the profile's refusal of every mailbox.
      if (!(error instanceof AppError && (error.kind === 'permanent' || error.kind === 'configuration'))) throw error;
      deps.logger.warn('sync.profile-refused', { mailbox: mailbox.key, profile, code: error.code });
      if (NOT_FOUND.has(error.code)) {
        evidence.push(`${profile}: ${error.message}`);
        continue;
      }
      refusals.push(`${profile}: ${error.message}`);
      if ((await recordRefusal(deps, profile, mailbox.key, error.code)).open) circuitOpen = true;
    }
  }
  if (refusals.length > 0) return { kind: 'refused', reason: refusals.join('; '), circuitOpen };
  if (held.length > 0) return { kind: 'held', reason: held.join('; ') };
  return { kind: 'unavailable', reason: evidence.join('; ') };
}

async function fetchOnce(
  deps: SyncDeps,
  provider: CalendarProvider,
  mailbox: StoredMailbox,
  window: CalendarWindow,
  token: string | undefined,
): Promise<FetchCalendarResult> {
  // A directory id is only meaningful to the profile (tenant) that found it.
  const directoryUser =
    mailbox.directoryId && mailbox.directoryIdAddress && provider.profileName === mailbox.profile ? { address: mailbox.directoryIdAddress, id: mailbox.directoryId } : undefined;
  const seriesMemory = seriesMemoryFor(deps.store, mailbox.key);
  try {
    // A full fetch by the profile that issued the mailbox's token may still start from it (EWS sync state).
    const previousSyncToken = token === undefined && provider.profileName === mailbox.profile ? mailbox.syncToken : undefined;
    return await provider.fetchCalendar({ address: mailbox.address, directoryUser, window: token ? (mailbox.window ?? window) : window, syncToken: token, previousSyncToken, seriesMemory });
  } catch (error) {
    if (token && error instanceof AppError && error.kind === 'resync') {
      deps.logger.info('sync.token-expired', { mailbox: mailbox.key, profile: provider.profileName, code: error.code });
      return provider.fetchCalendar({ address: mailbox.address, directoryUser, window, syncToken: undefined, seriesMemory });
    }
    throw error;
  }
}
