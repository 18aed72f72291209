/**
 * zod schemas for every Graph answer the provider reads. Only what we use is required;
 * the rest passes through untouched. Shapes: https://learn.microsoft.com/graph/api/event-delta,
 * https://learn.microsoft.com/graph/api/user-get-mailboxsettings,
 * https://learn.microsoft.com/graph/json-batching, https://learn.microsoft.com/graph/api/subscription-post-subscriptions
 */
import { z } from 'zod';

/** One page of `calendarView/delta`: events stay `unknown` here; normalizeGraphEvent validates each. */
export const DeltaPageSchema = z
  .object({
    value: z.array(z.unknown()),
    '@odata.nextLink': z.string().url().optional(),
    '@odata.deltaLink': z.string().url().optional(),
  })
  .refine((page) => (page['@odata.nextLink'] === undefined) !== (page['@odata.deltaLink'] === undefined), {
    message: 'a delta page has exactly one of @odata.nextLink and @odata.deltaLink',
  });
export type DeltaPage = z.infer<typeof DeltaPageSchema>;

/** One page of `events/{id}/instances` (or any plain event list): followed by `@odata.nextLink`. */
export const EventListPageSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().url().optional(),
});
export type EventListPage = z.infer<typeof EventListPageSchema>;

export const MailboxSettingsSchema = z.looseObject({
  timeZone: z.string().nullish(),
  automaticRepliesSetting: z.unknown().optional(),
});
export type MailboxSettings = z.infer<typeof MailboxSettingsSchema>;

export const SubscriptionSchema = z.looseObject({
  id: z.string().min(1),
  expirationDateTime: z.string().datetime({ offset: true }),
});

export const BatchResponseSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});
export type BatchItemResponse = z.infer<typeof BatchResponseSchema>['responses'][number];

/** https://learn.microsoft.com/graph/errors#json-representation */
export const GraphErrorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string().optional() }) });
