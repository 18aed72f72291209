/**
 * xs:dateTime as EWS writes it (`2026-04-07T08:00:00Z`, `…+02:00`, fractions allowed) → epoch ms.
 * Date.parse alone would roll 30 February over into March; such a value is refused instead.
 */
const XS_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * The instant, or undefined when the text is not one. `assumeUtc`: a value without an offset is
 * UTC (GetUserOofSettings' Duration); otherwise such a value names no instant.
 */
export function parseXsDateTime(value: string | undefined, assumeUtc = false): number | undefined {
  const text = value?.trim() ?? '';
  const m = XS_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, year, month, day, hour, minute, second = '00', zone] = m;
  if (zone === undefined && !assumeUtc) return undefined;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const ms = Date.parse(zone === undefined ? `${text}Z` : text);
  return Number.isFinite(ms) ? ms : undefined;
}
