/**
 * What /api/health and /api/status say (ARCHITECTURE.md "Observability"): one check per part of
 * the system, each `ok`, `degraded` (some work is not done: an operator should look) or `failing`
 * (this part does nothing useful). The whole is `failing` when nothing can reach CMG: CMG itself,
 * Table Storage, or every connection profile is failing; `degraded` when any check is not ok.
 *
 * Health is the cheap part alone (CMG probe, one State read, each profile's circuit and
 * credentials), so a load balancer or availability test polling it costs little; status adds
 * the mailbox census, dead letters and subscriptions. Both answers are kept for CACHE_MS and
 * shared by concurrent callers: a flood of health requests makes one CMG request per period.
 */
import { toAppError, transientError, type AppError } from '../errors/app-error.js';
import { failingShare, takeCensus, type MailboxCensus, type StateCounts } from './mailbox-census.js';
import { isDeadLetterOpen } from '../domain/dead-letter-status.js';
import { isQuiet } from '../domain/pacing.js';
import { circuitOf } from '../sync/job/profile-circuit.js';
import type { SyncDeps } from '../sync/sync-deps.js';

export type CheckStatus = 'ok' | 'degraded' | 'failing';

/** One part of the system: its status, a sentence for a person, and figures. */
export interface Check {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly [figure: string]: unknown;
}

export interface SystemStatus {
  readonly status: CheckStatus;
  /** `cmg`, `storage`, `roster`, `mailboxes`, `queue`, `subscriptions`, `profile:<NAME>`. */
  readonly checks: Readonly<Record<string, Check>>;
}

/** How long a computed answer (and so the CMG and credential probes) is reused. */
export const STATUS_CACHE_MS = 30_000;
/** A probe that has not answered by then counts as failed; the CMG client's own retries may take longer. */
const PROBE_TIMEOUT_MS = 5_000;
/** More than this share of a profile's synced mailboxes failing makes it degraded (the alert's 5 %). */
export const FAILING_SHARE_LIMIT = 0.05;
/** Dead letters read, newest first: one page. */
const DEAD_LETTERS_READ = 100;
/** Subscriptions expiring within this are overdue: renewal starts SUBSCRIPTION_RENEW_MARGIN ahead. */
const SUBSCRIPTION_HORIZON_MS = 3_600_000;

const RANK: Record<CheckStatus, number> = { ok: 0, degraded: 1, failing: 2 };
const worst = (statuses: readonly CheckStatus[]): CheckStatus => statuses.reduce<CheckStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

interface Cached<T> {
  readonly at: number;
  readonly value: Promise<T>;
}
const caches = new WeakMap<SyncDeps, { core?: Cached<SystemStatus>; full?: Cached<SystemStatus> }>();

function cached(deps: SyncDeps, which: 'core' | 'full', compute: () => Promise<SystemStatus>): Promise<SystemStatus> {
  let entry = caches.get(deps);
  if (!entry) {
    entry = {};
    caches.set(deps, entry);
  }
  const now = deps.now().getTime();
  const hit = entry[which];
  if (hit && now - hit.at >= 0 && now - hit.at < STATUS_CACHE_MS) return hit.value;
  const value = compute();
  const stored = { at: now, value };
  entry[which] = stored;
  // A computation that threw is not reused: the next caller tries again.
  value.catch(() => {
    if (entry[which] === stored) delete entry[which];
  });
  return value;
}

/** `/api/health`: failing when nothing can reach CMG; never says why. */
export async function systemHealth(deps: SyncDeps): Promise<'ok' | 'failing'> {
  try {
    return (await coreStatus(deps)).status === 'failing' ? 'failing' : 'ok';
  } catch {
    return 'failing';
  }
}

/** `/api/status`: every check, with what it found. */
export function systemStatus(deps: SyncDeps): Promise<SystemStatus> {
  return cached(deps, 'full', async () => {
    const core = await coreStatus(deps);
    const [census, queue, subscriptions] = await Promise.all([
      settle(() => takeCensus(deps)),
      settle(() => deps.store.deadLetters.list(DEAD_LETTERS_READ)),
      settle(() => subscriptionsCheck(deps)),
    ]);
    const checks: Record<string, Check> = { ...core.checks };
    if (census.ok) {
      checks.mailboxes = mailboxesCheck(deps, census.value);
      for (const profile of deps.config.profiles) {
        const name = `profile:${profile.name}`;
        checks[name] = withMailboxes(checks[name]!, census.value.byProfile.get(profile.name) ?? {});
      }
    } else {
      checks.mailboxes = { status: 'failing', detail: `the Mailboxes table cannot be read: ${census.error.message}` };
    }
    checks.queue = queue.ok ? deadLetterCheck(deps, queue.value, census.ok ? census.value : undefined) : { status: 'failing', detail: `the DeadLetters table cannot be read: ${queue.error.message}` };
    checks.subscriptions = subscriptions.ok ? subscriptions.value : { status: 'failing', detail: `the Subscriptions table cannot be read: ${subscriptions.error.message}` };
    return overall(deps, checks);
  });
}

/** The checks that decide `failing`: CMG, Table Storage (and the roster's last run), each profile. */
function coreStatus(deps: SyncDeps): Promise<SystemStatus> {
  return cached(deps, 'core', async () => {
    const [cmg, ranAt, ...profiles] = await Promise.all([
      cmgCheck(deps),
      settle(async () => (await deps.store.state.get('roster', 'ranAt'))?.value),
      ...deps.config.profiles.map((p) => profileCheck(deps, p.name)),
    ]);
    const checks: Record<string, Check> = {
      cmg,
      storage: ranAt.ok ? { status: 'ok', detail: 'Table Storage answers' } : { status: 'failing', detail: `Table Storage cannot be read: ${ranAt.error.message}` },
      roster: rosterCheck(deps, ranAt.ok ? ranAt.value : undefined, ranAt.ok),
    };
    deps.config.profiles.forEach((p, i) => (checks[`profile:${p.name}`] = profiles[i]!));
    return overall(deps, checks);
  });
}

function overall(deps: SyncDeps, checks: Record<string, Check>): SystemStatus {
  const profiles = deps.config.profiles.map((p) => checks[`profile:${p.name}`]!);
  const nothingReachesCmg =
    checks.cmg!.status === 'failing' || checks.storage!.status === 'failing' || (profiles.length > 0 && profiles.every((p) => p.status === 'failing'));
  const status = nothingReachesCmg ? 'failing' : worst(Object.values(checks).map((c) => c.status)) === 'ok' ? 'ok' : 'degraded';
  if (status !== 'ok') {
    const notOk = Object.entries(checks).filter(([, c]) => c.status !== 'ok').map(([name, c]) => `${name}=${c.status}`);
    deps.logger.warn('status.not-ok', { status, checks: notOk.join(' ') });
  }
  return { status, checks };
}

async function cmgCheck(deps: SyncDeps): Promise<Check> {
  const probe = await settle(() => withTimeout(deps.cmg.check(), 'CMG'));
  if (probe.ok) return { status: 'ok', detail: `CMG answers (version ${probe.value.version}, application ${probe.value.application})`, version: probe.value.version };
  const error = probe.error;
  const detail =
    error.kind === 'configuration'
      ? `CMG refuses us: ${error.message}`
      : `CMG cannot be reached: ${error.message}`;
  return { status: 'failing', detail, code: error.code };
}

async function profileCheck(deps: SyncDeps, name: string): Promise<Check> {
  const provider = deps.providers.byName(name);
  const [circuit, credentials] = await Promise.all([
    settle(() => circuitOf(deps, name)),
    provider ? settle(() => withTimeout(provider.checkConnection(), `profile ${name}`)) : Promise.resolve(undefined),
  ]);
  const kind = provider?.kind;
  if (!circuit.ok) return { status: 'failing', detail: `the profile's circuit state cannot be read: ${circuit.error.message}`, kind };
  if (circuit.value.open) {
    return {
      status: 'failing',
      detail: `circuit open since ${circuit.value.openedAt ?? '?'}: the provider refused mailboxes alike (${circuit.value.code ?? '?'}); jobs do not call it and CMG keeps what it holds; one job a CIRCUIT_PROBE_INTERVAL probes`,
      kind,
      circuit: 'open',
      code: circuit.value.code,
      openedAt: circuit.value.openedAt,
    };
  }
  if (credentials && !credentials.ok) {
    const refused = credentials.error.kind === 'configuration' || credentials.error.kind === 'permanent';
    return {
      status: refused ? 'failing' : 'degraded',
      detail: `${refused ? 'the credentials are refused' : 'the credentials could not be checked'}: ${credentials.error.message}`,
      kind,
      circuit: 'closed',
      code: credentials.error.code,
    };
  }
  return { status: 'ok', detail: `credentials accepted, circuit closed${profileNotes(deps, name)}`, kind, circuit: 'closed' };
}

/** What an operator should know of how a profile reads, beside whether it works (issue 26: delegate access). */
function profileNotes(deps: SyncDeps, name: string): string {
  const profile = deps.config.profiles.find((p) => p.name === name);
  if (profile?.kind !== 'exchange') return '';
  const notes = [
    profile.access === 'delegate' ? 'automatic replies are not read (ACCESS=delegate: Exchange shows them to the mailbox owner only)' : undefined,
    !profile.push || deps.config.push.webhookBaseUrl === undefined ? 'mailboxes polled every EXCHANGE_POLL_INTERVAL (no push)' : undefined,
  ].filter((n) => n !== undefined);
  return notes.length === 0 ? '' : `; ${notes.join('; ')}`;
}

function rosterCheck(deps: SyncDeps, ranAt: string | undefined, readable: boolean): Check {
  if (!readable) return { status: 'failing', detail: 'the roster checkpoint cannot be read' };
  const staleAfterMs = 2 * deps.config.sync.rosterPeriodMs;
  if (ranAt === undefined) return { status: 'degraded', detail: 'no roster refresh has finished yet' };
  const ageMs = deps.now().getTime() - Date.parse(ranAt);
  if (ageMs > staleAfterMs) {
    return { status: 'degraded', detail: `the last roster refresh finished ${minutes(ageMs)} ago, more than twice ROSTER_PERIOD: CMG's calendar settings are not being read`, ranAt };
  }
  return { status: 'ok', detail: `refreshed ${minutes(ageMs)} ago`, ranAt };
}

function mailboxesCheck(deps: SyncDeps, census: MailboxCensus): Check {
  const { synced, failing, share } = failingShare(census.byState);
  const figures = { total: census.total, byState: census.byState, lastSyncAt: census.lastSyncAt };
  const now = deps.now().getTime();
  const intervalMs = deps.config.sync.updateIntervalMs;
  const quiet = [0, intervalMs, 2 * intervalMs].some((back) => isQuiet(now - back, deps.config.sync.subscribeOff));
  const lastSyncMs = census.lastSyncAt === undefined ? undefined : Date.parse(census.lastSyncAt);
  if (synced > 0 && !quiet && (lastSyncMs === undefined || now - lastSyncMs > 2 * intervalMs)) {
    const since = lastSyncMs === undefined ? 'no mailbox has synced yet' : `the last sync of any mailbox finished ${minutes(now - lastSyncMs)} ago`;
    return { status: 'degraded', detail: `${since}: no job has succeeded for two UPDATE_INTERVALs`, ...figures };
  }
  if (share > FAILING_SHARE_LIMIT) {
    return { status: 'degraded', detail: `${failing} of ${synced} synced mailboxes are failing (${percent(share)})`, ...figures };
  }
  return { status: 'ok', detail: `${synced} synced, ${failing} failing, ${census.total} in all`, ...figures };
}

function withMailboxes(check: Check, counts: StateCounts): Check {
  const { synced, failing, share } = failingShare(counts);
  const mailboxes = { ...counts };
  if (check.status === 'ok' && share > FAILING_SHARE_LIMIT) {
    return { ...check, status: 'degraded', detail: `${failing} of its ${synced} synced mailboxes are failing (${percent(share)})`, mailboxes };
  }
  return { ...check, mailboxes };
}

function deadLetterCheck(deps: SyncDeps, deadLetters: Awaited<ReturnType<SyncDeps['store']['deadLetters']['list']>>, census: MailboxCensus | undefined): Check {
  const now = deps.now().getTime();
  const open = deadLetters.filter((d) => {
    if (d.mailboxKey === undefined) return isDeadLetterOpen(d, undefined, now);
    // Without the census a mailbox's dead letter cannot be judged: it counts as open.
    return census === undefined || isDeadLetterOpen(d, census.mailboxes.get(d.mailboxKey), now);
  });
  const figures = { deadLetters: deadLetters.length, open: open.length, newestAt: deadLetters[0]?.at, read: DEAD_LETTERS_READ };
  if (open.length === 0) {
    return { status: 'ok', detail: deadLetters.length === 0 ? 'no dead-lettered job' : 'every dead-lettered job\'s mailbox has synced since', ...figures };
  }
  const reasons = [...new Set(open.map((d) => d.reason))].join(', ');
  return { status: 'degraded', detail: `${open.length} dead-lettered job(s) not resolved by a later sync (${reasons}): see /api/reports/dead-letters`, ...figures };
}

async function subscriptionsCheck(deps: SyncDeps): Promise<Check> {
  if (!deps.config.push.webhookBaseUrl) return { status: 'ok', detail: 'push is off (WEBHOOK_BASE_URL empty): polling alone runs', push: false };
  const now = deps.now().getTime();
  const due = await deps.store.subscriptions.listExpiringBefore(new Date(now + SUBSCRIPTION_HORIZON_MS).toISOString());
  const expired = due.filter((s) => Date.parse(s.expiresAt) <= now).length;
  const figures = { push: true, expiringWithinHour: due.length - expired, expired };
  if (due.length === 0) return { status: 'ok', detail: 'no subscription or channel expires within the hour', ...figures };
  return {
    status: 'degraded',
    detail: `${due.length} subscription(s) or channel(s) expire within the hour or have expired without renewal: push is lapsing for those mailboxes (polling still runs)`,
    ...figures,
  };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

async function settle<T>(run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: toAppError(error) };
  }
}

async function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(transientError(`${what} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`, 'timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const minutes = (ms: number): string => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
