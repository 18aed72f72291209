/** Shared set-up for the mapping tests: MAPPING.md's defaults, a code list, a mailbox. */
import { readMappingSettings } from '../../../shared/config/mapping-setting-specs.js';
import type { NormalizeResult } from '../../../shared/domain/calendar-event.js';
import { calendarWindow } from '../../../shared/domain/calendar-window.js';
import type { CmgCode } from '../../../shared/domain/cmg-code.js';
import type { MappingSettings } from '../../../shared/domain/mapping-settings.js';
import type { MailboxContext, MappingContext } from '../../../shared/domain/mapping-context.js';

export const NOW = new Date('2026-03-30T07:00:00Z');

export const CODES: CmgCode[] = [
  { code: '1', descriptions: { en: 'Lunch', sv: 'Lunch' } },
  { code: '5', descriptions: { en: 'Out of office', sv: 'Frånvarande' } },
  { code: '7', descriptions: { en: 'Travel', sv: 'Resa' } },
  { code: '11', descriptions: { en: 'Meeting', sv: 'Möte' } },
  { code: '12', descriptions: { en: 'Customer visit', sv: 'Kundbesök' } },
  { code: '13', descriptions: { en: 'Training', sv: 'Utbildning' } },
];

/** MAPPING.md's defaults plus the two required codes; `env` overrides app settings by name. */
export function settingsWith(env: Record<string, string> = {}): MappingSettings {
  const read = readMappingSettings({ OOF_CODE: '5', DEFAULT_CODE: '11', ...env });
  if (!read.ok) throw new Error(`test settings invalid: ${JSON.stringify(read.problems)}`);
  return read.settings;
}

export function contextWith(
  opts: { env?: Record<string, string>; mailbox?: Partial<MailboxContext>; codes?: CmgCode[]; now?: Date; automaticRepliesSince?: string } = {},
): MappingContext {
  const settings = settingsWith(opts.env);
  return {
    settings,
    codes: opts.codes ?? CODES,
    mailbox: { key: 'user-42', provider: 'graph', language: 'en', forwardByDefault: false, timeZone: 'Europe/Stockholm', ...opts.mailbox },
    window: calendarWindow(opts.now ?? NOW, settings),
    automaticRepliesSince: opts.automaticRepliesSince,
  };
}

export function eventOf(result: NormalizeResult) {
  if (result.kind !== 'event') throw new Error(`expected an event, got ${result.kind}`);
  return result.event;
}
