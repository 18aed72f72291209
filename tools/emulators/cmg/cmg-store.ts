/**
 * The in-memory CMG behind the emulator: roster, code list and activities per user, with the
 * contract's semantics and error answers (CMG-INTERFACE.md). Every method that serves a contract
 * operation returns the HTTP answer itself, so the routes stay a thin dispatch.
 */
import { z } from 'zod';
import type { EmulatorResponse } from '../emulator-server.js';
import type { CmgActivityBody, CmgUser } from '../../../shared/cmg/cmg-gateway.js';
import type { CmgCode } from '../../../shared/domain/cmg-code.js';

/** A user to seed: only `userId` is required, the rest has plain defaults. */
export interface SeedUser {
  userId: string;
  email?: string | null;
  calendarSync?: boolean;
  language?: string;
  forwardByDefault?: boolean;
  messageSystem?: number;
  /** Defaults to the emulator's clock. */
  modifiedAt?: string;
  deleted?: boolean;
}

export interface StoredActivity {
  readonly externalId: string;
  readonly activity: CmgActivityBody;
  /** 1 on create, +1 for every PUT that changed the body: lets tests see "200, no change". */
  readonly revision: number;
}

export const seedUserSchema = z.object({
  userId: z.string().min(1),
  email: z.string().nullable().optional(),
  calendarSync: z.boolean().optional(),
  language: z.string().optional(),
  forwardByDefault: z.boolean().optional(),
  messageSystem: z.number().int().optional(),
  modifiedAt: z.iso.datetime({ offset: true }).optional(),
  deleted: z.boolean().optional(),
});

const activityBodySchema = z.object({
  code: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  // CMG counts characters, not UTF-16 units.
  text: z.string().refine((t) => [...t].length <= 255, 'longer than 255 characters'),
  forward: z.boolean(),
  inConference: z.boolean(),
  sign: z.string().min(1),
  messageSystems: z.array(z.number().int()).min(1),
  source: z.object({ provider: z.enum(['graph', 'google', 'exchange']), eventId: z.string().min(1) }),
});

const cursorSchema = z.object({ since: z.string().optional(), asOf: z.string(), after: z.tuple([z.number(), z.string()]) });

export const cmgError = (status: number, code: string, message: string): EmulatorResponse => ({ status, body: { error: { code, message } } });

export class CmgStore {
  private readonly users = new Map<string, CmgUser>();
  private readonly activities = new Map<string, Map<string, StoredActivity>>();
  private codes: readonly CmgCode[] = [];

  constructor(
    private readonly messageSystems: readonly number[],
    private readonly now: () => Date,
    public pageSize: number,
  ) {}

  reset(codes: readonly CmgCode[]): void {
    this.users.clear();
    this.activities.clear();
    this.codes = codes;
  }

  setCodes(codes: readonly CmgCode[]): void {
    this.codes = codes;
  }

  allCodes(): readonly CmgCode[] {
    return this.codes;
  }

  /** Replaces the whole roster. */
  seedUsers(users: readonly SeedUser[]): void {
    this.users.clear();
    this.activities.clear();
    for (const user of users) this.changeUser(user);
  }

  /** Adds a user or changes one; the change gets a new `modifiedAt` unless the seed names one. */
  changeUser(seed: SeedUser): CmgUser {
    const previous = this.users.get(seed.userId);
    const user: CmgUser = {
      userId: seed.userId,
      email: seed.email !== undefined ? seed.email : (previous?.email ?? `${seed.userId}@example.com`),
      calendarSync: seed.calendarSync ?? previous?.calendarSync ?? true,
      language: seed.language ?? previous?.language ?? 'en',
      forwardByDefault: seed.forwardByDefault ?? previous?.forwardByDefault ?? false,
      messageSystem: seed.messageSystem ?? previous?.messageSystem ?? this.messageSystems[0] ?? 1,
      modifiedAt: seed.modifiedAt ?? this.now().toISOString(),
      deleted: seed.deleted ?? false,
    };
    this.users.set(user.userId, user);
    if (user.deleted) this.activities.delete(user.userId);
    return user;
  }

  /** The user leaves CMG: a tombstone for `since` queries, 404 unknown_user for everything else. */
  deleteUser(userId: string): void {
    const user = this.users.get(userId);
    if (user) this.changeUser({ ...user, modifiedAt: undefined, deleted: true });
  }

  allUsers(): CmgUser[] {
    return [...this.users.values()];
  }

  activitiesOf(userId: string): StoredActivity[] {
    return [...(this.activities.get(userId)?.values() ?? [])];
  }

  allActivities(): Record<string, StoredActivity[]> {
    return Object.fromEntries([...this.activities.keys()].map((userId) => [userId, this.activitiesOf(userId)]));
  }

  codesAnswer(languages: string | null): EmulatorResponse {
    const wanted = languages ? languages.split(',').map((l) => l.trim()).filter(Boolean) : undefined;
    const codes = this.codes.map((c) => ({
      code: c.code,
      descriptions: wanted ? Object.fromEntries(Object.entries(c.descriptions).filter(([lang]) => wanted.includes(lang))) : c.descriptions,
    }));
    return { status: 200, body: { codes } };
  }

  /**
   * Keyset paging over (modifiedAt, userId) up to the first page's `asOf`: a user changed while a
   * client pages is left for the next `since = asOf` query instead of shifting the pages. `since`
   * is inclusive, so a change in the same millisecond as `asOf` is delivered again, not lost.
   */
  rosterAnswer(sinceParam: string | null, cursorParam: string | null): EmulatorResponse {
    let since = sinceParam ?? undefined;
    let asOf = this.now().toISOString();
    let after: [number, string] = [-Infinity, ''];
    if (cursorParam !== null) {
      const cursor = decodeCursor(cursorParam);
      if (cursor === undefined) return cmgError(400, 'invalid_request', 'cursor is not one this server issued');
      ({ since, asOf } = cursor);
      after = cursor.after;
    }
    if (since !== undefined && !Number.isFinite(Date.parse(since))) return cmgError(400, 'invalid_request', 'since is not an ISO date-time');
    const sinceMs = since === undefined ? undefined : Date.parse(since);
    const asOfMs = Date.parse(asOf);
    const key = (u: CmgUser): [number, string] => [Date.parse(u.modifiedAt), u.userId];
    const before = (a: [number, string], b: [number, string]): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
    const matching = [...this.users.values()]
      // Without `since` the roster is the living users; with it, deletions are news too.
      .filter((u) => (sinceMs === undefined ? !u.deleted : Date.parse(u.modifiedAt) >= sinceMs))
      .filter((u) => Date.parse(u.modifiedAt) <= asOfMs && before(after, key(u)))
      .sort((a, b) => (before(key(a), key(b)) ? -1 : 1));
    const page = matching.slice(0, this.pageSize);
    const last = page[page.length - 1];
    const nextCursor = matching.length > page.length && last ? encodeCursor({ since, asOf, after: key(last) }) : null;
    return { status: 200, body: { users: page, nextCursor, asOf } };
  }

  putActivity(userId: string, externalId: string, rawBody: string): EmulatorResponse {
    const gone = this.unknownUser(userId);
    if (gone) return gone;
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return cmgError(400, 'invalid_activity', 'body is not JSON');
    }
    const parsed = activityBodySchema.safeParse(json);
    if (!parsed.success) {
      return cmgError(400, 'invalid_activity', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const activity = parsed.data;
    if (Date.parse(activity.start) >= Date.parse(activity.end)) return cmgError(400, 'invalid_activity', 'start must be before end');
    const unknownSystem = activity.messageSystems.find((m) => !this.messageSystems.includes(m));
    if (unknownSystem !== undefined) return cmgError(400, 'invalid_activity', `message system ${unknownSystem} does not exist`);
    if (!this.codes.some((c) => c.code === activity.code)) return cmgError(400, 'unknown_code', `code ${activity.code} does not exist`);

    const mine = this.activities.get(userId) ?? new Map<string, StoredActivity>();
    this.activities.set(userId, mine);
    const existing = mine.get(externalId);
    if (existing && JSON.stringify(existing.activity) === JSON.stringify(activity)) {
      return { status: 200, body: { ...activity, externalId } };
    }
    mine.set(externalId, { externalId, activity, revision: (existing?.revision ?? 0) + 1 });
    return { status: existing ? 200 : 201, body: { ...activity, externalId } };
  }

  deleteActivity(userId: string, externalId: string): EmulatorResponse {
    const gone = this.unknownUser(userId);
    if (gone) return gone;
    if (!this.activities.get(userId)?.delete(externalId)) return cmgError(404, 'not_found', `no activity ${externalId}`);
    return { status: 204 };
  }

  listAnswer(userId: string, sign: string | null): EmulatorResponse {
    const gone = this.unknownUser(userId);
    if (gone) return gone;
    const activities = this.activitiesOf(userId)
      .filter((a) => sign === null || a.activity.sign === sign)
      .map((a) => ({ ...a.activity, externalId: a.externalId }));
    return { status: 200, body: { activities } };
  }

  private unknownUser(userId: string): EmulatorResponse | undefined {
    const user = this.users.get(userId);
    return user && !user.deleted ? undefined : cmgError(404, 'unknown_user', `no CMG user ${userId}`);
  }
}

function encodeCursor(cursor: z.infer<typeof cursorSchema>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string): z.infer<typeof cursorSchema> | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
