/**
 * Change-notification subscriptions on `users/{id}/events`, the way Graph runs them:
 * creation first POSTs `?validationToken=…` to the notificationUrl (and the lifecycle URL) and
 * only succeeds when each echoes the token as text/plain with 200 within 10 seconds; then every
 * event change is POSTed to the subscriber as a notification collection.
 * https://learn.microsoft.com/graph/change-notifications-delivery-webhooks
 * https://learn.microsoft.com/graph/api/resources/changenotificationcollection
 */
import { randomUUID } from 'node:crypto';
import type { Route } from '../emulator-server.js';
import type { EventChange, GraphEmulatorState, Subscription } from './graph-emulator-state.js';
import type { IssuedTokens } from './graph-auth.js';
import { graphError } from './graph-wire.js';

/** https://learn.microsoft.com/graph/api/resources/subscription#subscription-lifetime (Outlook events: 10,080 minutes). */
const MAX_LIFETIME_MS = 10_080 * 60_000;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface NotificationDelivery {
  readonly subscriptionId: string;
  readonly url: string;
  readonly changeType: string;
  readonly resource: string;
  /** HTTP status the subscriber answered, 0 when it could not be reached. */
  readonly status: number;
}

export class GraphNotifier {
  readonly deliveries: NotificationDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly state: GraphEmulatorState,
    private readonly validationTimeoutMs: number,
  ) {}

  /** Graph's handshake: POST with `validationToken`, expect it echoed as text/plain within the timeout. */
  async validate(url: string): Promise<string | undefined> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    try {
      const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(this.validationTimeoutMs) });
      const body = await res.text();
      if (res.status !== 200) return `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (${res.status})`;
      if (!(res.headers.get('content-type') ?? '').startsWith('text/plain')) return 'Subscription validation request failed. Response must have content type text/plain.';
      if (body !== token) return 'Subscription validation request failed. Response must exactly match validationToken query parameter.';
      return undefined;
    } catch (error) {
      return error instanceof Error && error.name === 'TimeoutError' ? 'Subscription validation request timeout.' : 'Subscription validation request failed. Notification endpoint is not reachable.';
    }
  }

  notify(change: EventChange): void {
    const now = Date.now();
    for (const sub of this.state.subscriptions.values()) {
      if (sub.userId !== change.userId || Date.parse(sub.expirationDateTime) <= now) continue;
      if (!sub.changeType.split(',').includes(change.changeType)) continue;
      const resource = `Users/${change.userId}/Events/${change.eventId}`;
      const body = {
        value: [
          {
            subscriptionId: sub.id,
            subscriptionExpirationDateTime: sub.expirationDateTime,
            changeType: change.changeType,
            resource,
            resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': resource, '@odata.etag': `W/"${randomUUID()}"`, id: change.eventId },
            clientState: sub.clientState ?? null,
            tenantId: this.state.tenantId,
          },
        ],
      };
      const delivery = fetch(sub.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
        .then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        })
        .catch(() => 0)
        .then((status) => {
          this.deliveries.push({ subscriptionId: sub.id, url: sub.notificationUrl, changeType: change.changeType, resource, status });
        });
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  /**
   * Sends a lifecycle notification to the subscription's lifecycleNotificationUrl and returns
   * the subscriber's HTTP status; `subscriptionRemoved` also ends the subscription, as Graph does.
   * https://learn.microsoft.com/graph/change-notifications-lifecycle-events
   */
  async lifecycle(subscriptionId: string, lifecycleEvent: LifecycleEvent): Promise<number> {
    const sub = this.state.subscriptions.get(subscriptionId);
    if (!sub?.lifecycleNotificationUrl) throw new Error(`emulator: subscription ${subscriptionId} has no lifecycle URL`);
    if (lifecycleEvent === 'subscriptionRemoved') this.state.subscriptions.delete(subscriptionId);
    const body = {
      value: [
        {
          subscriptionId: sub.id,
          subscriptionExpirationDateTime: sub.expirationDateTime,
          tenantId: this.state.tenantId,
          clientState: sub.clientState ?? null,
          lifecycleEvent,
        },
      ],
    };
    try {
      const res = await fetch(sub.lifecycleNotificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** Resolves when every notification sent so far has been answered (or failed). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

function subscriptionJson(sub: Subscription, apiBase: string): Record<string, unknown> {
  return {
    '@odata.context': `${apiBase}/$metadata#subscriptions/$entity`,
    id: sub.id,
    resource: sub.resource,
    applicationId: sub.applicationId,
    changeType: sub.changeType,
    clientState: sub.clientState ?? null,
    notificationUrl: sub.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: sub.lifecycleNotificationUrl ?? null,
    expirationDateTime: sub.expirationDateTime,
    creatorId: sub.applicationId,
    includeResourceData: null,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

const CHANGE_TYPES = new Set(['created', 'updated', 'deleted']);

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function expiryProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || !Number.isFinite(Date.parse(value))) return 'expirationDateTime is required and must be a date-time.';
  const at = Date.parse(value);
  if (at <= Date.now()) return 'Subscription expiration must be in the future.';
  if (at > Date.now() + MAX_LIFETIME_MS) return `Subscription expiration can only be ${MAX_LIFETIME_MS / 60_000} minutes in the future.`;
  return undefined;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * Why Graph would refuse this notification URL: it must be https (400 InvalidRequest
 * "NotificationUrl scheme='http' is not supported.", microsoft-graph-docs #2751). Loopback
 * http passes only when the emulator was started to allow it (local runs and tests).
 */
function notificationUrlProblem(value: string, allowLoopbackHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `Invalid notification url='${value}'.`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && allowLoopbackHttp && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `NotificationUrl scheme='${url.protocol.replace(/:$/, '')}' is not supported.`;
}

export function subscriptionRoutes(state: GraphEmulatorState, notifier: GraphNotifier, tokens: IssuedTokens, baseUrl: () => string, allowLoopbackHttp: boolean): Route[] {
  const apiBase = (): string => `${baseUrl()}/v1.0`;
  const find = (id: string | undefined): Subscription | undefined => {
    const sub = id ? state.subscriptions.get(id) : undefined;
    return sub && Date.parse(sub.expirationDateTime) > Date.now() ? sub : undefined;
  };
  const notFound = () => graphError(404, 'ResourceNotFound', 'The object was not found.');
  return [
    {
      method: 'POST',
      pattern: /^\/v1\.0\/subscriptions$/,
      handler: async (req) => {
        const body = parseJson(req.body);
        if (!body) return graphError(400, 'InvalidRequest', 'The request body is not valid JSON.');
        const resource = typeof body.resource === 'string' ? body.resource : '';
        const m = /^\/?(?:users|Users)\/(?<user>[^/]+)\/(?:events|Events)$/.exec(resource);
        const user = m?.groups?.user ? state.findUser(m.groups.user) : undefined;
        if (!user) return graphError(400, 'ExtensionError', `Operation: Create; Exception: [Status Code: NotFound; Reason: The resource '${resource}' is not supported or the user does not exist.]`);
        const changeType = typeof body.changeType === 'string' ? body.changeType : '';
        if (changeType === '' || !changeType.split(',').every((c) => CHANGE_TYPES.has(c))) return graphError(400, 'InvalidRequest', 'changeType is not valid.');
        const expiry = expiryProblem(body.expirationDateTime);
        if (expiry) return graphError(400, 'InvalidRequest', expiry);
        const notificationUrl = typeof body.notificationUrl === 'string' ? body.notificationUrl : '';
        const lifecycle = typeof body.lifecycleNotificationUrl === 'string' ? body.lifecycleNotificationUrl : undefined;
        for (const url of lifecycle ? [notificationUrl, lifecycle] : [notificationUrl]) {
          const problem = notificationUrlProblem(url, allowLoopbackHttp);
          if (problem) return graphError(400, 'InvalidRequest', problem);
        }
        for (const url of lifecycle ? [notificationUrl, lifecycle] : [notificationUrl]) {
          const problem = await notifier.validate(url);
          if (problem) return graphError(400, 'ValidationError', problem);
        }
        const sub: Subscription = {
          id: randomUUID(),
          userId: user.id,
          resource,
          changeType,
          notificationUrl,
          lifecycleNotificationUrl: lifecycle,
          clientState: typeof body.clientState === 'string' ? body.clientState : undefined,
          applicationId: tokens.appOf(req) ?? '',
          expirationDateTime: new Date(Date.parse(body.expirationDateTime as string)).toISOString(),
        };
        state.subscriptions.set(sub.id, sub);
        return { status: 201, body: subscriptionJson(sub, apiBase()) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v1\.0\/subscriptions\/(?<id>[^/]+)$/,
      handler: (req) => {
        const sub = find(req.params.id);
        return sub ? { status: 200, body: subscriptionJson(sub, apiBase()) } : notFound();
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/v1\.0\/subscriptions\/(?<id>[^/]+)$/,
      handler: (req) => {
        const sub = find(req.params.id);
        if (!sub) return notFound();
        const body = parseJson(req.body) ?? {};
        const expiry = expiryProblem(body.expirationDateTime);
        if (expiry) return graphError(400, 'InvalidRequest', expiry);
        sub.expirationDateTime = new Date(Date.parse(body.expirationDateTime as string)).toISOString();
        return { status: 200, body: subscriptionJson(sub, apiBase()) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/v1\.0\/subscriptions\/(?<id>[^/]+)$/,
      handler: (req) => {
        const sub = find(req.params.id);
        if (!sub) return notFound();
        state.subscriptions.delete(sub.id);
        return { status: 204 };
      },
    },
  ];
}
