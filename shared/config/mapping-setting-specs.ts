/**
 * The settings of MAPPING.md: which events count, codes, forwarding, privacy, times, text.
 * `calsync preview` validates only these; the config hash is computed from them.
 */
import { z } from 'zod';
import { bool, codeMap, int, list, optional, text, type Setting } from './setting.js';
import { readSettings, type Env, type SettingProblem } from './read-settings.js';
import type { MappingSettings } from '../domain/mapping-settings.js';

const LANGUAGE = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)?$/, 'not a language code');
const MATCH_FIELD = z.enum(['category', 'subject']);

export const MAPPING_SETTINGS = {
  CALENDAR_LOOKBACK_HOURS: int({ default: 24, min: 0, max: 24 * 31 }, 'Hours before midnight UTC today that the monitored window starts: it reaches this many hours back, up to 24 more late in the UTC day (docs/mapping.md, section 1).'),
  CALENDAR_VIEW_DAYS: int({ default: 14, min: 1, max: 366 }, 'Days after midnight UTC tonight that the monitored window ends: it reaches this many days ahead, up to one more early in the UTC day (docs/mapping.md, section 1).'),
  SYNC_FREE: bool(false, 'Send events shown as free.'),
  SYNC_TENTATIVE: bool(true, 'Send tentative events.'),
  SYNC_UNANSWERED: bool(true, 'Send invitations the owner has not answered (code from categories only, forwarding the user\'s default).'),
  SYNC_WORKING_ELSEWHERE: bool(false, 'Send working-elsewhere events (Graph workingElsewhere, Google workingLocation).'),
  SYNC_AUTOMATIC_REPLIES: bool(true, 'Send an out-of-office activity for Graph automatic replies.'),
  OOF_CODE: text({ required: true, min: 1 }, 'CMG code for out-of-office events and automatic replies. Required.'),
  DEFAULT_CODE: optional(text({ min: 1 }, 'CMG code when nothing matches. Required unless SYNC_ONLY_MATCHED=true.')),
  CATEGORY_CODES: codeMap('Explicit category → code map, compared case-insensitively (old CMG.category.X=CODE).'),
  CODE_ALIASES: codeMap('Language-independent aliases → code, matched against categories and subjects.'),
  CODE_LANGUAGES: list('comma', '', 'Languages whose code descriptions are matched; empty: the user\'s own CMG language.', LANGUAGE),
  CODE_ONLY_ALIASES: bool(false, 'Match only aliases and the category map, never code descriptions.'),
  CODE_MATCH_FIELDS: list('comma', 'category,subject', 'Event fields used for code matching (category, subject; at least one).', MATCH_FIELD),
  SYNC_ONLY_MATCHED: bool(false, 'Send only events whose code was matched (old "Synchronize only appointments").'),
  FORWARD_PREFIX: text({ default: '*', max: 8 }, 'Subject prefix that forces call forwarding on for the activity.'),
  NOT_FORWARD_PREFIX: text({ default: '#', max: 8 }, 'Subject prefix that forces call forwarding off for the activity.'),
  MASK_PRIVATE: bool(true, 'Replace the text of private / confidential events.'),
  PRIVATE_SUBJECT: text({ default: 'Private appointment', max: 255 }, 'Text sent instead of a private event\'s subject.'),
  PRIVATE_LOCATION: text({ default: '', max: 255 }, 'Location sent instead of a private event\'s location.'),
  ALL_DAY_START_OFFSET_HOURS: int({ default: 0, min: 0, max: 23 }, 'Hours after local midnight that an all-day activity starts.'),
  ALL_DAY_END_AT_MIDNIGHT: bool(true, 'All-day activities end at midnight after the last day (else 23:59 on the last day).'),
  CMG_TEXT_MAX: int({ default: 255, min: 1, max: 255 }, 'Maximum activity text length in characters.'),
  TEXT_APPEND_LOCATION: bool(false, 'Append " (location)" to the activity text.'),
  CMG_IN_CONFERENCE: bool(false, 'Set inConference for online meetings.'),
  CMG_SIGN: text({ default: 'Calendar', min: 1, max: 32 }, 'Source label CMG shows for our activities.'),
} satisfies Record<string, Setting<unknown>>;

export type MappingSettingsResult = { ok: true; settings: MappingSettings } | { ok: false; problems: SettingProblem[] };

export function readMappingSettings(env: Env): MappingSettingsResult {
  const read = readSettings(MAPPING_SETTINGS, env);
  if (!read.ok) return read;
  const v = read.values;
  const problems: SettingProblem[] = [];
  if (v.DEFAULT_CODE === undefined && !v.SYNC_ONLY_MATCHED) {
    problems.push({ name: 'DEFAULT_CODE', problem: 'is required unless SYNC_ONLY_MATCHED=true', expected: 'a CMG code' });
  }
  if (v.CODE_MATCH_FIELDS.length === 0) {
    problems.push({ name: 'CODE_MATCH_FIELDS', problem: 'names no field', expected: 'category, subject or both' });
  }
  if (v.FORWARD_PREFIX !== '' && v.FORWARD_PREFIX === v.NOT_FORWARD_PREFIX) {
    problems.push({ name: 'NOT_FORWARD_PREFIX', problem: 'is the same as FORWARD_PREFIX', expected: 'a different prefix' });
  }
  if (problems.length > 0) return { ok: false, problems };
  const settings: MappingSettings = {
    lookbackHours: v.CALENDAR_LOOKBACK_HOURS,
    viewDays: v.CALENDAR_VIEW_DAYS,
    syncFree: v.SYNC_FREE,
    syncTentative: v.SYNC_TENTATIVE,
    syncUnanswered: v.SYNC_UNANSWERED,
    syncWorkingElsewhere: v.SYNC_WORKING_ELSEWHERE,
    syncAutomaticReplies: v.SYNC_AUTOMATIC_REPLIES,
    oofCode: v.OOF_CODE,
    defaultCode: v.DEFAULT_CODE,
    categoryCodes: v.CATEGORY_CODES,
    codeAliases: v.CODE_ALIASES,
    codeLanguages: v.CODE_LANGUAGES,
    codeOnlyAliases: v.CODE_ONLY_ALIASES,
    codeMatchFields: v.CODE_MATCH_FIELDS as Array<'category' | 'subject'>,
    syncOnlyMatched: v.SYNC_ONLY_MATCHED,
    forwardPrefix: v.FORWARD_PREFIX,
    notForwardPrefix: v.NOT_FORWARD_PREFIX,
    maskPrivate: v.MASK_PRIVATE,
    privateSubject: v.PRIVATE_SUBJECT,
    privateLocation: v.PRIVATE_LOCATION,
    allDayStartOffsetHours: v.ALL_DAY_START_OFFSET_HOURS,
    allDayEndAtMidnight: v.ALL_DAY_END_AT_MIDNIGHT,
    textMax: v.CMG_TEXT_MAX,
    textAppendLocation: v.TEXT_APPEND_LOCATION,
    inConference: v.CMG_IN_CONFERENCE,
    sign: v.CMG_SIGN,
  };
  return { ok: true, settings: Object.freeze(settings) };
}
