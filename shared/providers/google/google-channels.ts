/**
 * Push channels on a calendar's events (`events.watch`) and their end (`channels.stop`).
 * https://developers.google.com/calendar/api/guides/push
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { calendar_v3 } from '@googleapis/calendar';
import { transientError } from '../../errors/app-error.js';
import type { PushSubscription, PushSubscriptionRequest } from '../calendar-provider.js';

const Channel = z.object({
  id: z.string().min(1),
  resourceId: z.string().min(1),
  // int64 milliseconds since the epoch, as a string (JSON has no int64).
  expiration: z.union([z.string().regex(/^\d+$/), z.number().int()]).optional(),
});

/** The watch request body: a fresh channel id per call, so a retried call never collides. */
export function watchRequest(request: PushSubscriptionRequest, now: number): calendar_v3.Schema$Channel {
  const expiresAt = Date.parse(request.expiresAt);
  const ttlSeconds = Math.max(1, Math.round((expiresAt - now) / 1000));
  return {
    id: randomUUID(),
    type: 'web_hook',
    address: request.notificationUrl,
    // Echoed in X-Goog-Channel-Token on every notification; google-notifications verifies it.
    token: request.secret,
    // Calendar reads the lifetime from params.ttl (seconds); expiration is the generic field.
    params: { ttl: String(ttlSeconds) },
    expiration: String(expiresAt),
  };
}

export function readChannel(data: unknown, requested: PushSubscriptionRequest): PushSubscription {
  const channel = Channel.safeParse(data);
  if (!channel.success) throw transientError('Google events.watch answered an unexpected shape', 'unexpected-response');
  const expiration = channel.data.expiration === undefined ? undefined : Number(channel.data.expiration);
  return {
    id: channel.data.id,
    resourceId: channel.data.resourceId,
    // Google may shorten the lifetime; what it answers is what holds.
    expiresAt: expiration === undefined ? requested.expiresAt : new Date(expiration).toISOString(),
  };
}
