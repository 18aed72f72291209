/**
 * The work of `calsync preview` behind its arguments: validation, reading the files, the
 * normalisers and the mapping. Loaded by preview-command.ts only when there is work to do, so
 * `calsync --help` and `calsync preview --help` do not load zod, the settings or the domain.
 */
import { z } from 'zod';
import { readMappingSettings } from '../shared/config/mapping-setting-specs.js';
import type { Env } from '../shared/config/read-settings.js';
import type { NormalizeResult, ProviderKind } from '../shared/domain/calendar-event.js';
import { calendarWindow } from '../shared/domain/calendar-window.js';
import type { CmgCode } from '../shared/domain/cmg-code.js';
import { hydrateStubs, mastersIn } from '../shared/domain/series-stubs.js';
import { mapCalendar } from '../shared/domain/map-calendar.js';
import type { MappingContext } from '../shared/domain/mapping-context.js';
import { normalizeGoogleEvent } from '../shared/domain/normalize-google-event.js';
import { normalizeGraphAutomaticReplies } from '../shared/domain/normalize-graph-automatic-replies.js';
import { normalizeGraphEvent } from '../shared/domain/normalize-graph-event.js';
import { isTimeZone } from '../shared/domain/time-zone.js';
import { InputError, type CommandResult, type PreviewIo } from './command-io.js';

const Options = z.object({
  provider: z.enum(['graph', 'google', 'exchange'], { error: '--provider must be graph, google or exchange' }),
  events: z.string({ error: '--events FILE is required' }),
  settings: z.string().optional(),
  codes: z.string().optional(),
  'time-zone': z.string().refine(isTimeZone, '--time-zone must be an IANA time zone such as Europe/Stockholm').optional(),
  now: z.iso.datetime({ offset: true, error: '--now must be an ISO 8601 date-time such as 2026-03-30T07:00:00Z' }).optional(),
  'user-forward': z.enum(['true', 'false'], { error: '--user-forward must be true or false' }).optional(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/, '--language must be a language code such as en or sv').optional(),
  'automatic-replies': z.string().optional(),
  mailbox: z.email({ error: '--mailbox must be a mail address such as sam@example.com' }).optional(),
  explain: z.boolean().optional(),
});

const GraphList = z.object({ value: z.array(z.unknown()) });
const GoogleList = z.object({ items: z.array(z.unknown()), timeZone: z.string().optional() });

// App settings are strings; numbers, booleans and (for CATEGORY_CODES / CODE_ALIASES) objects
// are accepted in the file for convenience and written back as the strings they stand for.
const SettingValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), z.unknown())]);
const SettingsFile = z.union([z.object({ Values: z.record(z.string(), SettingValue) }), z.record(z.string(), SettingValue)]);

const CodesFile = z.object({
  codes: z.array(z.object({ code: z.union([z.string(), z.number().transform(String)]), descriptions: z.record(z.string(), z.string()) })),
});

async function readText(io: PreviewIo, option: string, path: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new InputError(`cannot read --${option} ${path}${code === 'ENOENT' ? ': no such file' : typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

async function readJson(io: PreviewIo, option: string, path: string): Promise<unknown> {
  const text = await readText(io, option, path);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError(`--${option} ${path} is not valid JSON`);
  }
}

function validateOptions(values: Record<string, unknown>): z.infer<typeof Options> {
  const parsed = Options.safeParse(values);
  if (!parsed.success) throw new InputError(parsed.error.issues[0]?.message ?? 'invalid options');
  const options = parsed.data;
  // EWS sends an all-day event as the UTC instants of the mailbox's midnight and names no zone:
  // only the mailbox's own zone turns them back into the right days.
  if (options.provider === 'exchange' && options['time-zone'] === undefined) throw new InputError('--time-zone IANA is required with --provider exchange (the mailbox\'s zone)');
  if (options.provider !== 'exchange' && options.mailbox !== undefined) throw new InputError('--mailbox is for --provider exchange only');
  return options;
}

/** An EWS answer body in a file, read by the product's own readers (loaded only for Exchange). */
async function readExchangeEvents(io: PreviewIo, path: string, timeZone: string, mailbox: string | undefined): Promise<{ items: NormalizeResult[]; warnings: string[] }> {
  const text = await readText(io, 'events', path);
  const { isEwsFailure, readCalendarView } = await import('../shared/providers/exchange/ews-responses.js');
  const { normalizeExchangeEvent } = await import('../shared/domain/normalize-exchange-event.js');
  const view = readCalendarView(200, text);
  if (isEwsFailure(view)) throw new InputError(`--events ${path} is not a FindItem CalendarView response (${view.responseCode}: ${view.message})`);
  const warnings = view.includesLastItemInRange ? [] : [`the view in ${path} was cut short by MaxEntriesReturned (IncludesLastItemInRange=false): later events are missing`];
  return { items: view.items.map((item) => normalizeExchangeEvent(item, timeZone, mailbox)), warnings };
}

async function readEvents(io: PreviewIo, provider: 'graph' | 'google', path: string): Promise<{ items: NormalizeResult[]; timeZone?: string | undefined }> {
  const raw = await readJson(io, 'events', path);
  if (provider === 'graph') {
    const list = GraphList.safeParse(raw);
    if (!list.success) throw new InputError(`--events ${path} is not a Graph event list (expected {"value": [...]})`);
    // Occurrence stubs from calendarView/delta take their fields from a series master in the
    // same file; without it they are skipped as unresolved-series.
    const items = list.data.value.map(normalizeGraphEvent);
    return { items: hydrateStubs(items, mastersIn(items)) };
  }
  const list = GoogleList.safeParse(raw);
  if (!list.success) throw new InputError(`--events ${path} is not a Google events.list response (expected {"items": [...]})`);
  return { items: list.data.items.map(normalizeGoogleEvent), timeZone: list.data.timeZone };
}

async function readEnv(io: PreviewIo, path: string | undefined): Promise<Env> {
  if (path === undefined) return {};
  const parsed = SettingsFile.safeParse(await readJson(io, 'settings', path));
  if (!parsed.success) throw new InputError(`--settings ${path} is not a JSON object of app settings`);
  const values = 'Values' in parsed.data && typeof parsed.data.Values === 'object' && parsed.data.Values !== null ? parsed.data.Values : parsed.data;
  const env: Env = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null) continue;
    env[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return env;
}

async function readCodes(io: PreviewIo, path: string | undefined): Promise<CmgCode[]> {
  if (path === undefined) return [];
  const parsed = CodesFile.safeParse(await readJson(io, 'codes', path));
  if (!parsed.success) throw new InputError(`--codes ${path} is not a CMG /codes response (expected {"codes": [{"code", "descriptions"}]})`);
  return parsed.data.codes;
}

async function readAutomaticReplies(io: PreviewIo, provider: ProviderKind, path: string | undefined) {
  if (path === undefined) return undefined;
  if (provider === 'exchange') {
    const { isEwsFailure, readUserOofSettings } = await import('../shared/providers/exchange/ews-responses.js');
    const { normalizeExchangeAutomaticReplies } = await import('../shared/domain/normalize-exchange-automatic-replies.js');
    const oof = readUserOofSettings(200, await readText(io, 'automatic-replies', path));
    const replies = isEwsFailure(oof) ? undefined : normalizeExchangeAutomaticReplies(oof);
    if (replies === undefined) throw new InputError(`--automatic-replies ${path} is not a readable GetUserOofSettings response${isEwsFailure(oof) ? ` (${oof.responseCode}: ${oof.message})` : ''}`);
    return replies;
  }
  const raw = await readJson(io, 'automatic-replies', path);
  // Mailbox settings may name Windows zones; the lookup table is loaded only when needed.
  const { findIana } = await import('windows-iana');
  const replies = normalizeGraphAutomaticReplies(raw, (zone) => (isTimeZone(zone) ? zone : findIana(zone)[0]));
  if (replies === undefined) throw new InputError(`--automatic-replies ${path} is not a readable Graph automaticRepliesSetting`);
  return replies;
}

/** `calsync preview` once its arguments are read and are not `--help`: validates them, reads the files, maps. */
export async function preview(values: Record<string, unknown>, io: PreviewIo): Promise<CommandResult> {
  const options = validateOptions(values);

  const { items, timeZone: calendarZone, warnings } =
    options.provider === 'exchange'
      ? { ...(await readExchangeEvents(io, options.events, options['time-zone'] ?? 'UTC', options.mailbox)), timeZone: undefined }
      : { ...(await readEvents(io, options.provider, options.events)), warnings: [] };
  const read = readMappingSettings(await readEnv(io, options.settings));
  if (!read.ok) {
    const where = options.settings === undefined ? 'no --settings FILE given' : `in ${options.settings}`;
    throw new InputError(`invalid settings (${where}): ${read.problems.map((p) => `${p.name} ${p.problem}, expected ${p.expected}`).join('; ')}`);
  }
  const codes = await readCodes(io, options.codes);
  const automaticReplies = await readAutomaticReplies(io, options.provider, options['automatic-replies']);

  const now = options.now === undefined ? io.now() : new Date(options.now);
  const ctx: MappingContext = {
    settings: read.settings,
    codes,
    mailbox: {
      key: 'preview',
      provider: options.provider,
      language: options.language ?? 'en',
      forwardByDefault: options['user-forward'] === 'true',
      timeZone: options['time-zone'] ?? (calendarZone !== undefined && isTimeZone(calendarZone) ? calendarZone : 'UTC'),
    },
    window: calendarWindow(now, read.settings),
    automaticRepliesSince: now.toISOString(),
  };
  const mapped = mapCalendar(items, ctx, automaticReplies);

  const activities = mapped.activities.map((a) => ({
    externalId: a.externalId,
    start: a.start,
    end: a.end,
    code: a.code,
    text: a.text,
    forward: a.forward,
    inConference: a.inConference,
    sign: a.sign,
    private: a.private,
  }));
  const output = options.explain === true ? { activities, skipped: mapped.skipped } : { activities };
  return { exitCode: 0, stdout: `${JSON.stringify(output, null, 2)}\n`, stderr: warnings.map((w) => `calsync preview: ${w}\n`).join('') };
}

