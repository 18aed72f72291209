/**
 * The control channel between the benchmarks and the emulators' child process
 * (emulator-process.ts): what the benches ask of the Graph, Google and CMG emulators once they
 * no longer share the process: seed the organisation, clear and count the requests the
 * emulators saw, change an event, wait for notifications, CMG's acknowledgements, and the
 * child's CPU and memory. Requests and replies are checked with zod on both sides of the IPC
 * channel.
 */
import { z } from 'zod';

export const startOptionsSchema = z.object({
  /** The bench organisation is rebuilt from these in the child: deterministic for a given `now`. */
  nowMs: z.number(),
  mailboxes: z.number().int().nonnegative(),
  eventsPerPerson: z.number().int().positive(),
  providerLatencyMs: z.number().nonnegative(),
  cmgLatencyMs: z.number().nonnegative(),
  app: z.object({ clientId: z.string(), clientSecret: z.string() }),
  serviceAccount: z.object({ clientEmail: z.string(), publicKeyPem: z.string() }),
});
export type EmulatorStartOptions = z.infer<typeof startOptionsSchema>;

export const controlRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('start'), options: startOptionsSchema }),
  /** Forgets the requests recorded so far and marks the notifications sent so far. */
  z.object({ op: z.literal('clearRecords') }),
  z.object({ op: z.literal('counts') }),
  /** Renames events of the organisation in their providers, which notify subscribers; in order, one message for many. */
  z.object({ op: z.literal('renameEvents'), renames: z.array(z.object({ personKey: z.string(), eventId: z.string(), text: z.string() })) }),
  /** Waits until every notification sent so far was answered. */
  z.object({ op: z.literal('flushNotifications') }),
  z.object({ op: z.literal('pushState') }),
  /** For each number the pattern's first group captures in a successful CMG PUT body: the first such PUT's time. */
  z.object({ op: z.literal('acknowledgements'), pattern: z.string() }),
  z.object({ op: z.literal('usage') }),
  z.object({ op: z.literal('close') }),
]);
export type ControlRequest = z.infer<typeof controlRequestSchema>;
export type ControlOp = ControlRequest['op'];

const statusCounts = z.record(z.string(), z.number());

export const replySchemas = {
  start: z.object({
    cmgBaseUrl: z.string(),
    graphUrl: z.string(),
    graphTenantId: z.string(),
    graphCertificate: z.string(),
    googleTokenUrl: z.string(),
    googleApiRoot: z.string(),
  }),
  clearRecords: z.null(),
  counts: z.object({
    graph: z.object({
      /** HTTP requests to the Graph API (`/v1.0/…`), a `$batch` counting once. */
      httpRequests: z.number(),
      /** API calls, `$batch` expanded. */
      apiCalls: z.number(),
      /** Token and discovery requests. */
      authRequests: z.number(),
      failed: z.number(),
    }),
    google: z.object({ apiRequests: z.number(), tokenRequests: z.number(), failed: z.number() }),
    cmg: z.object({
      /** PUT and DELETE of one activity. */
      activityPuts: z.number(),
      activityDeletes: z.number(),
      /** GET of a user's activities. */
      activityLists: z.number(),
      /** Every other request (roster, codes, check). */
      other: z.number(),
      failed: z.number(),
    }),
    /** Activities CMG holds now. */
    activitiesHeld: z.number(),
  }),
  /** When each rename was made (ms since the epoch), in the order asked. */
  renameEvents: z.array(z.number()),
  flushNotifications: z.null(),
  pushState: z.object({
    graphSubscriptions: z.number(),
    googleChannels: z.number(),
    /** Since the last clearRecords: notifications sent, by the status the webhook answered (0: no answer). */
    graphNotifications: statusCounts,
    googleNotifications: statusCounts,
  }),
  acknowledgements: z.array(z.tuple([z.number(), z.number()])),
  usage: z.object({
    /** CPU time since the child started (user + system), µs. */
    cpuMicros: z.number(),
    rssBytes: z.number(),
    /** The highest RSS sampled since the previous usage request, bytes. */
    peakRssBytes: z.number(),
  }),
  close: z.null(),
} satisfies Record<ControlOp, z.ZodType>;
export type ControlReply<O extends ControlOp> = z.infer<(typeof replySchemas)[O]>;
export type EmulatorEndpointsReply = ControlReply<'start'>;
export type EmulatorCounts = ControlReply<'counts'>;
export type EmulatorUsage = ControlReply<'usage'>;

export const requestEnvelopeSchema = z.object({ id: z.number().int(), request: controlRequestSchema });
export const replyEnvelopeSchema = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
