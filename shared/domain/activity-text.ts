/** The text CMG shows for an activity (MAPPING.md §3 and §6). */
import type { MappingSettings } from './mapping-settings.js';

type PrefixSettings = Pick<MappingSettings, 'forwardPrefix' | 'notForwardPrefix'>;

/**
 * Reads a forwarding prefix: `FORWARD_PREFIX` forces forwarding on, `NOT_FORWARD_PREFIX` off, and
 * the prefix is dropped from the subject; otherwise the user's default applies.
 */
export function readForwarding(subject: string, settings: PrefixSettings, forwardByDefault: boolean): { subject: string; forward: boolean } {
  const trimmed = subject.trimStart();
  // The longer prefix first, so "**" is not read as "*" when both are configured; on equal
  // lengths the forwarding prefix.
  const { forwardPrefix, notForwardPrefix } = settings;
  const forwardFirst = forwardPrefix.length >= notForwardPrefix.length;
  const first = forwardFirst ? forwardPrefix : notForwardPrefix;
  const second = forwardFirst ? notForwardPrefix : forwardPrefix;
  if (first !== '' && trimmed.startsWith(first)) return { subject: trimmed.slice(first.length).trim(), forward: forwardFirst };
  if (second !== '' && trimmed.startsWith(second)) return { subject: trimmed.slice(second.length).trim(), forward: !forwardFirst };
  return { subject: trimmed, forward: forwardByDefault };
}

const LINE_BREAKS = /[\t\n\v\f\r]+/g;
const CONTROL = /\p{Cc}/gu;
// Format characters (bidirectional overrides, zero-width spaces and joiners, the BOM): invisible,
// yet able to make a console show text in another order than it is stored (MAPPING.md §6).
const FORMAT = /\p{Cf}/gu;
const IS_FORMAT = /\p{Cf}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * True when the text holds a control character (C0, DEL, C1), a format character or any
 * surrogate: cleanText has work to do. Format characters start at U+00AD (soft hyphen).
 */
function needsCleaning(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xdfff)) return true;
    if (c >= 0xad && IS_FORMAT.test(value[i]!)) return true;
  }
  return false;
}

/** Trimmed, control and format characters removed (line breaks and tabs become one space), no broken UTF-16. */
export function cleanText(value: string): string {
  // Most subjects are plain text: one scan instead of four regular-expression passes.
  if (!needsCleaning(value)) return value.trim();
  return value.replace(LINE_BREAKS, ' ').replace(CONTROL, '').replace(FORMAT, '').replace(LONE_SURROGATE, '\uFFFD').trim();
}

/**
 * At most `max` UTF-16 units, never ending inside a surrogate pair: within CMG's limit whether it
 * counts code units (Java strings) or characters.
 */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  const high = value.charCodeAt(max - 1);
  const end = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  return value.slice(0, end).trimEnd();
}

type TextSettings = Pick<MappingSettings, 'textAppendLocation' | 'textMax'>;

/** Subject (already without prefix, or the private replacement), optionally " (location)", cut to size. */
export function activityText(subject: string, location: string, settings: TextSettings): string {
  const text = cleanText(subject);
  const place = settings.textAppendLocation ? cleanText(location) : '';
  // join(): one flat string rather than a rope the activity hash must flatten again.
  return cutText(place === '' ? text : [text, ' (', place, ')'].join(''), settings.textMax);
}
