/**
 * The shapes of CMG's answers (CMG-INTERFACE.md), checked on receipt so that a CMG front that
 * does not speak this contract fails at the boundary with the operation's name, not deeper in.
 * Unknown fields are dropped, not rejected: CMG may add fields without breaking us.
 */
import { z } from 'zod';

const isoWithOffset = z.iso.datetime({ offset: true });

export const cmgErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

export const cmgCheckSchema = z.object({
  version: z.string(),
  application: z.string(),
  messageSystems: z.array(z.number().int()),
});

export const cmgCodesSchema = z.object({
  codes: z.array(z.object({ code: z.string().min(1), descriptions: z.record(z.string(), z.string()) })),
});

export const cmgUserSchema = z.object({
  userId: z.string().min(1),
  email: z.string().nullable(),
  calendarSync: z.boolean(),
  language: z.string(),
  forwardByDefault: z.boolean(),
  messageSystem: z.number().int(),
  modifiedAt: isoWithOffset,
  deleted: z.boolean(),
});

export const cmgRosterPageSchema = z.object({
  users: z.array(cmgUserSchema),
  nextCursor: z.string().min(1).nullable(),
  asOf: isoWithOffset,
});

export const cmgActivitySchema = z.object({
  code: z.string(),
  start: isoWithOffset,
  end: isoWithOffset,
  text: z.string(),
  forward: z.boolean(),
  inConference: z.boolean(),
  sign: z.string(),
  messageSystems: z.array(z.number().int()),
  source: z.object({ provider: z.enum(['graph', 'google', 'exchange']), eventId: z.string() }),
});

export const cmgActivityListSchema = z.object({
  activities: z.array(cmgActivitySchema.extend({ externalId: z.string().min(1) })),
});
