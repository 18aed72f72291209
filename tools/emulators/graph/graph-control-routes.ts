/**
 * The Graph emulator's control API over HTTP, for the dev host and manual runs; the same
 * operations as the in-process `control` object. Unknown users or events answer 404.
 */
import type { EmulatorRequest, EmulatorResponse, Route } from '../emulator-server.js';
import type { GraphEmulatorControl } from './graph-emulator-control.js';
import type { LifecycleEvent } from './graph-subscription-routes.js';
import type { AutomaticRepliesSeed, EventPatch, GraphAppRegistration, GraphPermission, MailboxAccess, SeedEvent, SeedUser } from './graph-emulator-state.js';

const P = '^\\/_control\\/graph';
const route = (method: string, path: string, handler: (req: EmulatorRequest) => EmulatorResponse | Promise<EmulatorResponse>): Route => ({
  method,
  pattern: new RegExp(`${P}${path}$`),
  handler: async (req) => {
    try {
      return await handler(req);
    } catch (error) {
      return { status: 404, body: { error: { code: 'not_found', message: error instanceof Error ? error.message : String(error) } } };
    }
  },
});

function json<T>(req: EmulatorRequest): T {
  return JSON.parse(req.body || '{}') as T;
}

export function graphControlRoutes(control: GraphEmulatorControl): Route[] {
  const p = (req: EmulatorRequest, name: string): string => req.params[name] ?? '';
  return [
    route('POST', '\\/apps', (req) => {
      control.registerApp(json<GraphAppRegistration>(req));
      return { status: 204 };
    }),
    route('PUT', '\\/apps\\/(?<app>[^/]+)\\/permissions', (req) => {
      control.setAppPermissions(p(req, 'app'), json<{ permissions: GraphPermission[] }>(req).permissions);
      return { status: 204 };
    }),
    route('POST', '\\/users', (req) => ({ status: 201, body: control.addUser(json<SeedUser>(req)) })),
    route('POST', '\\/users\\/(?<user>[^/]+)\\/events', (req) => ({ status: 201, body: { id: control.addEvent(p(req, 'user'), json<SeedEvent>(req)) } })),
    route('PATCH', '\\/users\\/(?<user>[^/]+)\\/events\\/(?<event>[^/]+)', (req) => {
      control.updateEvent(p(req, 'user'), p(req, 'event'), json<EventPatch>(req));
      return { status: 204 };
    }),
    route('DELETE', '\\/users\\/(?<user>[^/]+)\\/events\\/(?<event>[^/]+)', (req) => {
      control.deleteEvent(p(req, 'user'), p(req, 'event'));
      return { status: 204 };
    }),
    route('GET', '\\/users\\/(?<user>[^/]+)\\/events\\/(?<event>[^/]+)\\/occurrences', (req) => ({
      status: 200,
      body: { value: control.occurrences(p(req, 'user'), p(req, 'event')) },
    })),
    route('PATCH', '\\/users\\/(?<user>[^/]+)\\/events\\/(?<event>[^/]+)\\/occurrences\\/(?<occurrence>[^/]+)', (req) => {
      control.updateOccurrence(p(req, 'user'), p(req, 'event'), p(req, 'occurrence'), json<EventPatch>(req));
      return { status: 204 };
    }),
    route('DELETE', '\\/users\\/(?<user>[^/]+)\\/events\\/(?<event>[^/]+)\\/occurrences\\/(?<occurrence>[^/]+)', (req) => {
      control.cancelOccurrence(p(req, 'user'), p(req, 'event'), p(req, 'occurrence'));
      return { status: 204 };
    }),
    route('PUT', '\\/users\\/(?<user>[^/]+)\\/automatic-replies', (req) => {
      control.setAutomaticReplies(p(req, 'user'), json<AutomaticRepliesSeed>(req));
      return { status: 204 };
    }),
    route('PUT', '\\/users\\/(?<user>[^/]+)\\/time-zone', (req) => {
      control.setTimeZone(p(req, 'user'), json<{ timeZone: string }>(req).timeZone);
      return { status: 204 };
    }),
    route('PUT', '\\/users\\/(?<user>[^/]+)\\/access', (req) => {
      control.setMailboxAccess(p(req, 'user'), json<{ access: MailboxAccess }>(req).access);
      return { status: 204 };
    }),
    route('POST', '\\/expire-delta-tokens', (req) => {
      control.expireDeltaTokens(json<{ user?: string }>(req).user);
      return { status: 204 };
    }),
    route('POST', '\\/revoke-access-tokens', () => {
      control.revokeAccessTokens();
      return { status: 204 };
    }),
    route('GET', '\\/subscriptions', () => ({ status: 200, body: { value: control.subscriptions() } })),
    route('POST', '\\/subscriptions\\/(?<id>[^/]+)\\/lifecycle', async (req) => ({
      status: 200,
      body: { subscriberStatus: await control.sendLifecycleEvent(p(req, 'id'), json<{ lifecycleEvent: LifecycleEvent }>(req).lifecycleEvent) },
    })),
    route('GET', '\\/notifications', () => ({ status: 200, body: { value: control.notifications() } })),
    route('GET', '\\/requests', () => ({ status: 200, body: { value: control.apiRequests(), tokensIssued: control.tokensIssued() } })),
  ];
}
