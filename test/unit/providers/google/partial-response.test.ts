import { describe, expect, it } from 'vitest';
import { EVENT_LIST_FIELDS } from '../../../../shared/providers/google/google-events.js';
import { applyFields, parseFields } from '../../../../tools/emulators/google/partial-response.js';

describe('the emulator\'s partial response (fields=)', () => {
  it('when the provider\'s field selection is applied to a full event list, then only those fields remain', () => {
    const page = {
      kind: 'calendar#events',
      timeZone: 'UTC',
      nextSyncToken: 't',
      items: [
        {
          id: 'e1',
          summary: 's',
          description: 'not asked for',
          start: { dateTime: '2030-01-01T10:00:00Z', timeZone: 'UTC' },
          attendees: [{ email: 'a@example.com', self: true, responseStatus: 'accepted', displayName: 'A' }],
          conferenceData: { conferenceId: 'c', entryPoints: [{ uri: 'https://meet.google.com/c' }], conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' } },
        },
      ],
    };

    expect(applyFields(page, parseFields(EVENT_LIST_FIELDS))).toEqual({
      timeZone: 'UTC',
      nextSyncToken: 't',
      items: [
        {
          id: 'e1',
          summary: 's',
          start: { dateTime: '2030-01-01T10:00:00Z', timeZone: 'UTC' },
          attendees: [{ self: true, responseStatus: 'accepted' }],
          conferenceData: { conferenceId: 'c', conferenceSolution: { key: { type: 'hangoutsMeet' } } },
        },
      ],
    });
  });

  it('when the selection is unbalanced, then it is refused', () => {
    expect(() => parseFields('items(id')).toThrow();
    expect(() => parseFields('items)id')).toThrow();
  });
});
