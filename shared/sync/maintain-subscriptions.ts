/**
 * The `subscriptions` timer: every synced mailbox has a live Graph subscription or Google
 * channel. Missing ones are created, those expiring within SUBSCRIPTION_RENEW_MARGIN renewed
 * (Graph: PATCH; Google channels cannot be renewed, so a new one replaces the old), those of
 * mailboxes that left active sync deleted. Without WEBHOOK_BASE_URL push is off.
 * One mailbox's failure is logged and counted; it does not stop the others. In the quiet
 * period (SUBSCRIBE_OFF_*) no provider is called: the first run after it does the work, and
 * the renew margin, longer than the period (config.ts), keeps anything from lapsing meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { toAppError } from '../errors/app-error.js';
import type { ProviderKind } from '../domain/calendar-event.js';
import type { CalendarProvider } from '../providers/calendar-provider.js';
import { hashSecret } from '../store/secret-hash.js';
import type { StoredMailbox } from '../store/mailbox-repository.js';
import type { Subscription } from '../store/subscription-repository.js';
import { forEachBounded } from './bounded.js';
import { isQuiet, quietPeriodEnd } from './pacing.js';
import type { SyncDeps } from './sync-deps.js';

export type SubscriptionsReport =
  | { readonly status: 'push-off' }
  | { readonly status: 'quiet'; readonly until: string }
  | { readonly status: 'done'; readonly created: number; readonly renewed: number; readonly deleted: number; readonly failed: number };

const FOREVER = '9999-12-31T00:00:00.000Z';
const CONCURRENCY = 4;
const SYNCED = new Set(['active', 'failing']);

/** Graph refuses an expiry beyond its maximum; a clock a little ahead of Graph's must not hit that. */
const CLOCK_SKEW_MARGIN_MS = 2 * 60_000;
const graphLifetimeMs = (deps: SyncDeps): number => deps.config.push.graphSubscriptionMinutes * 60_000 - CLOCK_SKEW_MARGIN_MS;

export const webhookPaths = { graph: '/api/graph-notifications', graphLifecycle: '/api/graph-lifecycle', google: '/api/google-notifications' } as const;

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

  const subscriptions = await deps.store.subscriptions.listExpiringBefore(FOREVER);
  const byMailbox = new Map<string, Subscription[]>();
  for (const s of subscriptions) byMailbox.set(s.mailboxKey, [...(byMailbox.get(s.mailboxKey) ?? []), s]);
  const mailboxes = new Map<string, StoredMailbox>();
  for await (const m of deps.store.mailboxes.listAll()) mailboxes.set(m.key, m);

  const work: Array<() => Promise<void>> = [];
  for (const mailbox of mailboxes.values()) {
    // A mailbox gets push once a sync has found the profile that serves it.
    if (!SYNCED.has(mailbox.state) || !mailbox.profile) continue;
    const provider = deps.providers.byName(mailbox.profile);
    if (!provider) continue;
    const own = (byMailbox.get(mailbox.key) ?? []).filter((s) => s.provider === provider.kind);
    if (own.length === 0) {
      work.push(async () => {
        await createSubscription(deps, provider, mailbox);
        counts.created += 1;
      });
    }
    for (const s of own.filter((s) => s.expiresAt < renewBefore)) {
      work.push(async () => {
        await renewSubscription(deps, s, provider, mailbox);
        counts.renewed += 1;
      });
    }
  }
  for (const s of subscriptions) {
    const mailbox = mailboxes.get(s.mailboxKey);
    const provider = mailbox?.profile ? deps.providers.byName(mailbox.profile) : undefined;
    const keep = mailbox && SYNCED.has(mailbox.state) && provider?.kind === s.provider;
    if (keep) continue;
    work.push(async () => {
      await deleteSubscription(deps, s, mailbox?.address, provider?.kind === s.provider ? provider : deps.providers.all().find((p) => p.kind === s.provider));
      counts.deleted += 1;
    });
  }

  await forEachBounded(work, CONCURRENCY, async (task) => {
    try {
      await task();
    } catch (error) {
      counts.failed += 1;
      const appError = toAppError(error);
      deps.logger.warn('subscriptions.failed', { code: appError.code, error: appError.message });
    }
  });
  deps.logger.info('subscriptions.done', { ...counts, total: subscriptions.length });
  return { status: 'done', ...counts };
}

/** A new subscription (channel) for a mailbox that has none, counted as `created`. */
export function createSubscription(deps: SyncDeps, provider: CalendarProvider, mailbox: StoredMailbox): Promise<Subscription> {
  return counted(deps, provider.kind, async () => ({ result: 'created', value: await subscribe(deps, provider, mailbox) }));
}

async function subscribe(deps: SyncDeps, provider: CalendarProvider, mailbox: StoredMailbox): Promise<Subscription> {
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

/** Graph: extend in place; when Graph no longer knows it, or for a Google channel, replace it. */
export function renewSubscription(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: StoredMailbox): Promise<void> {
  return counted(deps, provider.kind, async () => ({ result: await extendOrReplace(deps, subscription, provider, mailbox), value: undefined }));
}

async function extendOrReplace(deps: SyncDeps, subscription: Subscription, provider: CalendarProvider, mailbox: StoredMailbox): Promise<'renewed' | 'replaced'> {
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
  await subscribe(deps, provider, mailbox);
  await deleteSubscription(deps, subscription, mailbox.address, provider);
  return 'replaced';
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
