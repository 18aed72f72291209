/**
 * The `subscriptions` timer: every synced mailbox has a live Graph subscription, Google
 * channel or Exchange push subscription. Missing ones are created, those expiring within
 * SUBSCRIPTION_RENEW_MARGIN renewed (Graph: PATCH; Google channels cannot be renewed, so a new
 * one replaces the old), those of mailboxes that left active sync deleted. An Exchange push
 * subscription lives as long as we answer its notifications; one silent for twice its
 * keep-alive period is replaced. Mailboxes of an Exchange profile that polls (PUSH=false) get
 * none. Without WEBHOOK_BASE_URL push is off.
 * One mailbox's failure is logged and counted; it does not stop the others. In the quiet
 * period (SUBSCRIBE_OFF_*) no provider is called: the first run after it does the work, and
 * the renew margin, longer than the period (config.ts), keeps anything from lapsing meanwhile.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { toAppError } from '../../errors/app-error.js';
import type { ProviderKind } from '../../domain/calendar-event.js';
import type { CalendarProvider } from '../../providers/calendar-provider.js';
import { hashSecret } from '../../store/secret-hash.js';
import { isSynced, type Mailbox } from '../../domain/mailbox.js';
import type { MailboxSummary } from '../../store/mailbox-repository.js';
import type { Subscription } from '../../store/subscription-repository.js';
import { forEachBounded } from '../bounded.js';
import { isQuiet, quietPeriodEnd } from '../../domain/pacing.js';
import type { SyncDeps } from '../sync-deps.js';

export type SubscriptionsReport =
  | { readonly status: 'push-off' }
  | { readonly status: 'quiet'; readonly until: string }
  | { readonly status: 'done'; readonly created: number; readonly renewed: number; readonly deleted: number; readonly failed: number };

const FOREVER = '9999-12-31T00:00:00.000Z';
/**
 * Provider calls at once. The first run at 10,000 mailboxes creates 10,000 subscriptions; at a
 * few hundred ms each (Graph validates every new one against our webhook), 4 at once would
 * outlast the function's 10-minute timeout.
 */
const CONCURRENCY = 16;
/** Tasks gathered before they run: the run holds no more mailboxes than these tasks need. */
const CHUNK = 500;

/** Graph refuses an expiry beyond its maximum; a clock a little ahead of Graph's must not hit that. */
const CLOCK_SKEW_MARGIN_MS = 2 * 60_000;
const graphLifetimeMs = (deps: SyncDeps): number => deps.config.push.graphSubscriptionMinutes * 60_000 - CLOCK_SKEW_MARGIN_MS;

/** What a subscription needs to know of its mailbox. */
type MailboxIdentity = Pick<Mailbox, 'key' | 'address'>;

export const webhookPaths = {
  graph: '/api/graph-notifications',
  graphLifecycle: '/api/graph-lifecycle',
  google: '/api/google-notifications',
  exchange: '/api/ews-notifications',
} as const;

/** Exchange sends no credentials: its callback URL names our subscription and carries its secret. */
export const exchangeCallbackUrl = (base: string, id: string, secret: string): string => `${base}${webhookPaths.exchange}/${id}/${secret}`;

/** When an Exchange subscription heard from at `at` will have been silent for twice its keep-alive period. */
export const exchangeSilentAfter = (deps: SyncDeps, at: number): string => new Date(at + 2 * deps.config.push.exchangeStatusFrequencyMinutes * 60_000).toISOString();

export async function maintainSubscriptions(deps: SyncDeps): Promise<SubscriptionsReport> {
  if (!deps.config.push.webhookBaseUrl) return { status: 'push-off' };
  const now = deps.now().getTime();
  if (isQuiet(now, deps.config.sync.subscribeOff)) {
    const until = new Date(quietPeriodEnd(now, deps.config.sync.subscribeOff)).toISOString();
    deps.logger.info('subscriptions.deferred', { until });
    return { status: 'quiet', until };
  }
  const counts = { created: 0, renewed: 0, deleted: 0, failed: 0 };
  const renewBefore = new Date(deps.now().getTime() + deps.config.push.renewMarginMs).toISOString();
  const runAll = (work: ReadonlyArray<() => Promise<void>>): Promise<void> =>
    forEachBounded(work, CONCURRENCY, async (task) => {
      try {
        await task();
      } catch (error) {
        counts.failed += 1;
        const appError = toAppError(error);
        deps.logger.warn('subscriptions.failed', { code: appError.code, error: appError.message });
      }
    });

  // Every subscription, by mailbox: the one read of the table, small rows. Each mailbox takes its
  // own out as the Mailboxes table streams past; what is left belongs to no mailbox any more.
  const subscriptions = await deps.store.subscriptions.listExpiringBefore(FOREVER);
  const byMailbox = new Map<string, Subscription[]>();
  for (const s of subscriptions) {
    const own = byMailbox.get(s.mailboxKey);
    if (own) own.push(s);
    else byMailbox.set(s.mailboxKey, [s]);
  }

  // The mailboxes in one pass; the work found so far runs before more is read.
  let work: Array<() => Promise<void>> = [];
  for await (const mailbox of deps.store.mailboxes.listSummaries()) {
    const own = byMailbox.get(mailbox.key) ?? [];
    byMailbox.delete(mailbox.key);
    work.push(...mailboxWork(deps, mailbox, own, renewBefore, counts));
    if (work.length >= CHUNK) {
      await runAll(work);
      work = [];
    }
  }
  for (const left of byMailbox.values()) {
    for (const s of left) work.push(deletion(deps, s, undefined, undefined, counts));
  }
  await runAll(work);

  deps.logger.info('subscriptions.done', { ...counts, total: subscriptions.length });
  return { status: 'done', ...counts };
}

type Counts = { created: number; renewed: number; deleted: number; failed: number };

/**
 * What one mailbox needs: a subscription of its provider when it is synced (a mailbox gets push
 * once a sync has found the profile that serves it) and its profile takes push, renewed when it
 * expires soon (Exchange: replaced once silent too long); none else.
 */
function mailboxWork(deps: SyncDeps, mailbox: MailboxSummary, own: readonly Subscription[], renewBefore: string, counts: Counts): Array<() => Promise<void>> {
  const provider = mailbox.profile ? deps.providers.byName(mailbox.profile) : undefined;
  const kind = isSynced(mailbox.state) && provider && takesPush(deps, provider) ? provider.kind : undefined;
  const silentBefore = deps.now().toISOString();
  const work: Array<() => Promise<void>> = [];
  for (const s of own) {
    if (s.provider !== kind) work.push(deletion(deps, s, mailbox.address, provider, counts));
    else if (s.expiresAt < (s.provider === 'exchange' ? silentBefore : renewBefore)) {
      work.push(async () => {
        await renewSubscription(deps, s, provider!, mailbox);
        counts.renewed += 1;
      });
    }
  }
  if (kind !== undefined && !own.some((s) => s.provider === kind)) {
    work.push(async () => {
      await createSubscription(deps, provider!, mailbox);
      counts.created += 1;
    });
  }
  return work;
}

function deletion(deps: SyncDeps, s: Subscription, address: string | undefined, provider: CalendarProvider | undefined, counts: Counts): () => Promise<void> {
  return async () => {
    await deleteSubscription(deps, s, address, provider?.kind === s.provider ? provider : deps.providers.all().find((p) => p.kind === s.provider));
    counts.deleted += 1;
  };
}

/** A new subscription (channel) for a mailbox that has none, counted as `created`. */
export function createSubscription(deps: SyncDeps, provider: CalendarProvider, mailbox: MailboxIdentity): Promise<Subscription> {
  return counted(deps, provider.kind, async () => ({ result: 'created', value: await subscribe(deps, provider, mailbox) }));
}

/** Exchange profiles with PUSH=false are polled instead (dispatch-jobs.ts): Exchange cannot reach us. */
function takesPush(deps: SyncDeps, provider: CalendarProvider): boolean {
  const profile = deps.config.profiles.find((p) => p.name === provider.profileName);
  return profile?.kind !== 'exchange' || profile.push;
}

async function subscribe(deps: SyncDeps, provider: CalendarProvider, mailbox: MailboxIdentity, watermark?: string): Promise<Subscription> {
  if (provider.kind === 'exchange') return subscribeExchange(deps, provider, mailbox, watermark);
  const base = deps.config.push.webhookBaseUrl!;
  const secret = randomBytes(32).toString('base64url');
  const lifetimeMs = provider.kind === 'graph' ? graphLifetimeMs(deps) : deps.config.push.googleChannelTtlMs;
  const notificationUrl = base + (provider.kind === 'graph' ? webhookPaths.graph : webhookPaths.google);
  const created = await provider.subscribe({
    address: mailbox.address,
    notificationUrl,
    lifecycleUrl: provider.kind === 'graph' ? base + webhookPaths.graphLifecycle : undefined,
    secret,
    expiresAt: new Date(deps.now().getTime() + lifetimeMs).toISOString(),
  });
  const record: Subscription = {
    provider: provider.kind,
    id: created.id,
    mailboxKey: mailbox.key,
    secretHash: hashSecret(secret),
    resourceId: created.resourceId ?? '',
    expiresAt: created.expiresAt,
    notificationUrl,
  };
  await deps.store.subscriptions.upsert(record);
  deps.logger.info('subscriptions.created', { mailbox: mailbox.key, provider: provider.kind, subscriptionId: created.id, expiresAt: created.expiresAt });
  return record;
}

/**
 * Exchange: the record is stored before Subscribe is sent, because Exchange may call back before
 * it has answered; a notification for a record without Exchange's id yet is accepted
 * (ews-notification-jobs.ts), where an unknown one would be told to unsubscribe. The watermark
 * of the subscription it replaces lets Exchange resume from there.
 */
async function subscribeExchange(deps: SyncDeps, provider: CalendarProvider, mailbox: MailboxIdentity, watermark: string | undefined): Promise<Subscription> {
  const base = deps.config.push.webhookBaseUrl!;
  const secret = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const pending: Subscription = {
    provider: 'exchange',
    id,
    mailboxKey: mailbox.key,
    secretHash: hashSecret(secret),
    resourceId: '',
    expiresAt: exchangeSilentAfter(deps, deps.now().getTime()),
    notificationUrl: `${base}${webhookPaths.exchange}/${id}`,
    watermark,
  };
  await deps.store.subscriptions.upsert(pending);
  let created;
  try {
    created = await provider.subscribe({
      address: mailbox.address,
      notificationUrl: exchangeCallbackUrl(base, id, secret),
      secret,
      expiresAt: pending.expiresAt,
      watermark,
    });
  } catch (error) {
    await deps.store.subscriptions.delete('exchange', id);
    throw error;
  }
  const record: Subscription = { ...pending, resourceId: created.id };
  await deps.store.subscriptions.upsert(record);
  deps.logger.info('subscriptions.created', { mailbox: mailbox.key, provider: 'exchange', subscriptionId: id, expiresAt: record.expiresAt });
  return record;
}

/** Graph: extend in place; when Graph no longer knows it, or for a Google channel or a silent Exchange subscription, replace it. */
export function renewSubscription(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: MailboxIdentity): Promise<void> {
  return counted(deps, provider.kind, async () => ({ result: await extendOrReplace(deps, subscription, provider, mailbox), value: undefined }));
}

async function extendOrReplace(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: MailboxIdentity): Promise<'renewed' | 'replaced'> {
  if (provider.kind === 'graph') {
    try {
      const expiresAt = new Date(deps.now().getTime() + graphLifetimeMs(deps)).toISOString();
      const renewed = await provider.renew({ id: subscription.id, expiresAt: subscription.expiresAt }, expiresAt);
      await deps.store.subscriptions.upsert({ ...subscription, expiresAt: renewed.expiresAt });
      deps.logger.info('subscriptions.renewed', { mailbox: mailbox.key, subscriptionId: subscription.id, expiresAt: renewed.expiresAt });
      return 'renewed';
    } catch (error) {
      if (toAppError(error).kind !== 'permanent') throw error;
    }
  }
  await subscribeInstead(deps, subscription, provider, mailbox);
  return 'replaced';
}

/**
 * A new subscription (channel) with a new secret in place of `subscription`, counted as
 * `replaced`: the operator's "replace the push secrets". See subscribeInstead.
 */
export function replaceSubscription(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: MailboxIdentity): Promise<Subscription> {
  return counted(deps, provider.kind, async () => ({ result: 'replaced', value: await subscribeInstead(deps, subscription, provider, mailbox) }));
}

/**
 * The new one first, then the old one deleted: Graph allows several subscriptions on one
 * resource and Google several channels on one calendar, so while both exist every change is
 * notified on both and none falls between them. The old secret is refused from the moment its
 * row is deleted (on other instances once their lookup cache, at most a minute old, lets it go).
 */
async function subscribeInstead(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: MailboxIdentity): Promise<Subscription> {
  // Exchange resumes from the old one's watermark; it ends when its next notification is answered Unsubscribe.
  const created = await subscribe(deps, provider, mailbox, subscription.watermark);
  await deleteSubscription(deps, subscription, mailbox.address, provider);
  return created;
}

/** One upkeep of a mailbox's push, counted by its result (`calsync.subscription.renewals`); a throw as `failed`. */
async function counted<T>(deps: SyncDeps, provider: ProviderKind, upkeep: () => Promise<{ result: 'created' | 'renewed' | 'replaced'; value: T }>): Promise<T> {
  try {
    const { result, value } = await upkeep();
    deps.telemetry.count('subscriptionRenewals', { provider, result });
    return value;
  } catch (error) {
    deps.telemetry.count('subscriptionRenewals', { provider, result: 'failed' });
    throw error;
  }
}

async function deleteSubscription(deps: SyncDeps, subscription: Subscription, address: string | undefined, provider: CalendarProvider | undefined): Promise<void> {
  if (provider) {
    await provider.unsubscribe({ id: subscription.id, address, resourceId: subscription.resourceId || undefined, expiresAt: subscription.expiresAt });
  }
  await deps.store.subscriptions.delete(subscription.provider, subscription.id);
  deps.logger.info('subscriptions.deleted', { mailbox: subscription.mailboxKey, provider: subscription.provider, subscriptionId: subscription.id });
}
