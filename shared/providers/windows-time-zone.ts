/**
 * Windows zone names as IANA names: Graph's `mailboxSettings.timeZone` (and dateTimeTimeZone
 * zones), and an Exchange Server mailbox's regional setting (OWA.UserOptions `timezone`).
 * Exchange stores Windows names ("W. Europe Standard Time") unless the user picked an IANA one;
 * MAPPING.md §5 forbids parsing Windows names ad hoc, so the CLDR mapping of windows-iana decides.
 * https://learn.microsoft.com/graph/api/resources/mailboxsettings
 */
import windowsIana from 'windows-iana';

function isIana(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers by name: every Graph job asks for its mailbox's zone, and the CLDR lookup was 2 % of
 * the product's CPU in the bench's incremental sweep. Only names that are zones (in some
 * spelling) are kept, so a garbled setting cannot grow the map.
 */
const known = new Map<string, string>();

/** The IANA name for a Windows or IANA zone name, or undefined when neither. */
export function toIanaZone(zone: string): string | undefined {
  const name = zone.trim();
  const cached = known.get(name);
  if (cached !== undefined) return cached;
  const iana = lookUp(name);
  if (iana !== undefined) known.set(name, iana);
  return iana;
}

function lookUp(name: string): string | undefined {
  if (name === '') return undefined;
  // CLDR lists the territory-neutral ("001") zone first.
  const mapped = windowsIana.findIana(name)[0];
  if (mapped) return mapped;
  return isIana(name) ? name : undefined;
}
