/**
 * Change notifications for a mailbox's events: create, renew, delete.
 * https://learn.microsoft.com/graph/api/subscription-post-subscriptions
 * https://learn.microsoft.com/graph/change-notifications-lifecycle-events
 * Graph validates `notificationUrl` (and `lifecycleNotificationUrl`) synchronously while
 * creating: the webhook must echo `validationToken` within 10 seconds.
 */
import { isAppError } from '../../errors/app-error.js';
import type { PushSubscription, PushSubscriptionRequest } from '../calendar-provider.js';
import type { GraphApi } from './graph-client.js';
import { SubscriptionSchema } from './graph-schemas.js';
import type { MailboxGate } from './mailbox-gate.js';

/** `userRef`: the address (as UPN), or the object id when the profile resolves addresses. */
export async function createGraphSubscription(api: GraphApi, gate: MailboxGate, request: PushSubscriptionRequest, userRef: string = request.address): Promise<PushSubscription> {
  return gate.run(request.address, 1, async () => {
    // The resource names the user as every other request does: by principal name, or by object
    // id when PROFILE_<NAME>_RESOLVE_ADDRESSES found it (that lookup needs User.Read.All, beyond
    // Calendars.Read + MailboxSettings.Read). Notifications are matched by subscriptionId, never by resource.
    const created = await api.send(
      {
        method: 'POST',
        path: '/subscriptions',
        body: {
          changeType: 'created,updated,deleted',
          notificationUrl: request.notificationUrl,
          ...(request.lifecycleUrl ? { lifecycleNotificationUrl: request.lifecycleUrl } : {}),
          resource: `users/${userRef}/events`,
          expirationDateTime: request.expiresAt,
          clientState: request.secret,
        },
      },
      SubscriptionSchema,
    );
    return { id: created.body.id, expiresAt: new Date(created.body.expirationDateTime).toISOString() };
  });
}

export async function renewGraphSubscription(api: GraphApi, subscription: PushSubscription, expiresAt: string): Promise<PushSubscription> {
  const renewed = await api.send(
    { method: 'PATCH', path: `/subscriptions/${encodeURIComponent(subscription.id)}`, body: { expirationDateTime: expiresAt }, target: 'subscription' },
    SubscriptionSchema,
  );
  return { id: renewed.body.id, expiresAt: new Date(renewed.body.expirationDateTime).toISOString() };
}

export async function deleteGraphSubscription(api: GraphApi, subscription: PushSubscription): Promise<void> {
  try {
    await api.send({ method: 'DELETE', path: `/subscriptions/${encodeURIComponent(subscription.id)}`, target: 'subscription' });
  } catch (error) {
    // Already expired or removed: the goal is reached.
    if (isAppError(error) && error.code === 'subscription-not-found') return;
    throw error;
  }
}
