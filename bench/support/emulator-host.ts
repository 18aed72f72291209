/**
 * What the emulators' child process (emulator-process.ts) does for each control request: it
 * starts and seeds the Graph, Google and CMG emulators with the bench organisation, and answers
 * from their records. Kept apart from the IPC wiring so that it can be tested in one process.
 */
import type { RecordedRequest } from '../../tools/emulators/emulator-server.js';
import { googleEventId } from '../../tools/demo/seed-emulators.js';
import { startLocalEmulators, type LocalEmulators } from '../../tools/local-env/local-environment.js';
import type { DemoPerson } from '../../tools/demo/demo-organisation.js';
import { benchOrganisation } from './bench-organisation.js';
import type { ControlOp, ControlReply, ControlRequest } from './emulator-protocol.js';

const isGraphApi = (r: RecordedRequest): boolean => r.path.startsWith('/v1.0/');
const isGoogleApi = (r: RecordedRequest): boolean => r.path.startsWith('/calendar/v3/');
const isActivity = (r: RecordedRequest): boolean => /\/users\/.+\/activities\/.+$/.test(r.path);
const isActivityList = (r: RecordedRequest): boolean => r.method === 'GET' && /\/users\/.+\/activities$/.test(r.path);

function statusCounts(list: ReadonlyArray<{ status: number }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of list) counts[String(d.status)] = (counts[String(d.status)] ?? 0) + 1;
  return counts;
}

export interface EmulatorHost {
  handle<O extends ControlOp>(request: Extract<ControlRequest, { op: O }>): Promise<ControlReply<O>>;
  close(): Promise<void>;
}

export function createEmulatorHost(): EmulatorHost {
  let running: { emulators: LocalEmulators; people: ReadonlyMap<string, DemoPerson> } | undefined;
  const notificationMarks = { graph: 0, google: 0 };
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100).unref();

  const need = (): NonNullable<typeof running> => {
    if (!running) throw new Error('the emulators are not started');
    return running;
  };

  const perform = async (request: ControlRequest): Promise<unknown> => {
    switch (request.op) {
      case 'start': {
        if (running) throw new Error('the emulators are already started');
        const o = request.options;
        const org = benchOrganisation({ now: new Date(o.nowMs), mailboxes: o.mailboxes, eventsPerPerson: o.eventsPerPerson });
        const emulators = await startLocalEmulators({
          org,
          now: () => new Date(),
          credentials: { app: o.app, serviceAccount: o.serviceAccount },
          providerLatencyMs: o.providerLatencyMs,
          cmgLatencyMs: o.cmgLatencyMs,
        });
        running = { emulators, people: new Map(org.people.map((p) => [p.key, p])) };
        return emulators.endpoints;
      }
      case 'clearRecords': {
        const { cmg, graph, google } = need().emulators;
        cmg.clearRecord();
        graph.clearRecord();
        google.clearRecord();
        notificationMarks.graph = graph.control.notifications().length;
        notificationMarks.google = google.control.notifications.length;
        return null;
      }
      case 'counts': {
        const { cmg, graph, google } = need().emulators;
        const graphApi = graph.record.filter(isGraphApi);
        const googleApi = google.record.filter(isGoogleApi);
        return {
          graph: {
            httpRequests: graphApi.length,
            apiCalls: graph.control.apiRequests().length,
            authRequests: graph.record.length - graphApi.length,
            failed: graphApi.filter((r) => r.status >= 400).length,
          },
          google: { apiRequests: googleApi.length, tokenRequests: google.record.length - googleApi.length, failed: googleApi.filter((r) => r.status >= 400).length },
          cmg: {
            activityPuts: cmg.record.filter((r) => r.method === 'PUT' && isActivity(r)).length,
            activityDeletes: cmg.record.filter((r) => r.method === 'DELETE' && isActivity(r)).length,
            activityLists: cmg.record.filter(isActivityList).length,
            other: cmg.record.filter((r) => !isActivity(r) && !isActivityList(r)).length,
            failed: cmg.record.filter((r) => r.status >= 400).length,
          },
          activitiesHeld: Object.values(cmg.control.allActivities()).reduce((n, list) => n + list.length, 0),
        };
      }
      case 'renameEvents': {
        const { emulators, people } = need();
        return request.renames.map(({ personKey, eventId, text }) => {
          const person = people.get(personKey);
          if (!person) throw new Error(`no person ${personKey}`);
          if (person.provider === 'graph') {
            const id = emulators.graphEventIds.get(eventId);
            if (!id) throw new Error(`no Graph event ${eventId}`);
            emulators.graph.control.updateEvent(person.address, id, { subject: text });
          } else {
            emulators.google.control.patchEvent(person.address, googleEventId(eventId), { summary: text });
          }
          return Date.now();
        });
      }
      case 'changeCmgUsers': {
        const { cmg } = need().emulators;
        for (const u of request.changes) cmg.control.changeUser({ ...u, forwardByDefault: false, messageSystem: 1 });
        for (const userId of request.deletions) cmg.control.deleteUser(userId);
        return null;
      }
      case 'flushNotifications': {
        const { graph, google } = need().emulators;
        await Promise.all([graph.control.flushNotifications(), google.control.flushNotifications()]);
        return null;
      }
      case 'pushState': {
        const { graph, google } = need().emulators;
        return {
          graphSubscriptions: graph.control.subscriptions().length,
          googleChannels: google.control.channels().length,
          graphNotifications: statusCounts(graph.control.notifications().slice(notificationMarks.graph)),
          googleNotifications: statusCounts(google.control.notifications.slice(notificationMarks.google)),
        };
      }
      case 'acknowledgements': {
        const pattern = new RegExp(request.pattern);
        const first = new Map<number, number>();
        for (const r of need().emulators.cmg.record) {
          if (r.method !== 'PUT' || r.status >= 300) continue;
          const m = pattern.exec(r.body);
          if (!m?.[1]) continue;
          const n = Number(m[1]);
          if (!first.has(n)) first.set(n, r.at);
        }
        return [...first];
      }
      case 'usage': {
        const rss = process.memoryUsage.rss();
        const peak = Math.max(peakRss, rss);
        peakRss = rss;
        const cpu = process.cpuUsage();
        return { cpuMicros: cpu.user + cpu.system, rssBytes: rss, peakRssBytes: peak };
      }
      case 'close': {
        await running?.emulators.close();
        running = undefined;
        return null;
      }
    }
  };

  return {
    handle: (request) => perform(request) as Promise<never>,
    async close() {
      clearInterval(sampler);
      await running?.emulators.close();
      running = undefined;
    },
  };
}
