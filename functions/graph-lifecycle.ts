/** HTTP: Graph lifecycle notifications (reauthorizationRequired, subscriptionRemoved, missed). */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import { GraphNotificationCollection, handleGraphLifecycle } from '../shared/sync/graph-notifications.js';
import { renewSubscription } from '../shared/sync/maintain-subscriptions.js';
import { readJsonBody, validationEcho } from './webhook-body.js';

export async function graphLifecycle(request: HttpRequest): Promise<HttpResponseInit> {
  const echo = validationEcho(request);
  if (echo) return echo;
  const body = await readJsonBody(request, GraphNotificationCollection);
  if (!body.ok) return body.response;
  const deps = await getDeps();
  const result = await handleGraphLifecycle(deps, body.value, async (subscription) => {
    const mailbox = await deps.store.mailboxes.get(subscription.mailboxKey);
    const provider = mailbox?.profile ? deps.providers.byName(mailbox.profile) : undefined;
    // A mailbox now served by another kind of provider keeps no Graph subscription: the timer
    // deletes it and subscribes with the new provider; renewing through that one would fail.
    if (mailbox && provider?.kind === subscription.provider) await renewSubscription(deps, subscription, provider, mailbox);
  });
  // 403 only when nothing in the batch was accepted: a renewal counts, though it enqueues nothing.
  return result.enqueued + result.renewed === 0 && result.rejected > 0 ? { status: 403, jsonBody: { error: 'no notification was accepted' } } : { status: 202 };
}

app.http('graph-lifecycle', { methods: ['POST'], authLevel: 'anonymous', route: 'graph-lifecycle', handler: graphLifecycle });
