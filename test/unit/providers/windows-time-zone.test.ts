import { describe, expect, it } from 'vitest';
import { toIanaZone } from '../../../shared/providers/windows-time-zone.js';

describe('toIanaZone', () => {
  it.each([
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['UTC', 'Etc/UTC'],
    ['Europe/Stockholm', 'Europe/Stockholm'],
  ])('when the zone is %s, then the IANA zone is %s', (zone, iana) => {
    expect(toIanaZone(zone)).toBe(iana);
  });

  it('when the name is neither Windows nor IANA, then there is no zone', () => {
    expect(toIanaZone('Middle Earth Standard Time')).toBeUndefined();
    expect(toIanaZone('')).toBeUndefined();
  });
});
