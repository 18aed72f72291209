/**
 * Graph `mailboxSettings.timeZone` (and dateTimeTimeZone zones) as IANA names. Exchange stores
 * Windows names ("W. Europe Standard Time") unless the user picked an IANA one; MAPPING.md §5
 * forbids parsing Windows names ad hoc, so the CLDR mapping of windows-iana decides.
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

/** The IANA name for a Windows or IANA zone name, or undefined when neither. */
export function toIanaZone(zone: string): string | undefined {
  const name = zone.trim();
  if (name === '') return undefined;
  // CLDR lists the territory-neutral ("001") zone first.
  const mapped = windowsIana.findIana(name)[0];
  if (mapped) return mapped;
  return isIana(name) ? name : undefined;
}
