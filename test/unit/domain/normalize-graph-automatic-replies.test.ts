import { describe, expect, it } from 'vitest';
import { normalizeGraphAutomaticReplies } from '../../../shared/domain/normalize-graph-automatic-replies.js';

// The response example of "Get mailboxSettings"
// (https://learn.microsoft.com/graph/api/user-get-mailboxsettings), status capitalised as there.
const documentedMailboxSettings = {
  '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings",
  archiveFolder: 'AAMkAGI2TGuLAAA=',
  timeZone: 'Pacific Standard Time',
  automaticRepliesSetting: {
    status: 'Scheduled',
    externalAudience: 'All',
    scheduledStartDateTime: { dateTime: '2016-03-14T07:00:00.0000000', timeZone: 'UTC' },
    scheduledEndDateTime: { dateTime: '2016-03-28T07:00:00.0000000', timeZone: 'UTC' },
    internalReplyMessage: '<html>\n<body>\n<p>Internal OOF reply</p>\n</body>\n</html>\n',
    externalReplyMessage: '<html>\n<body>\n<p>External OOF reply</p>\n</body>\n</html>\n',
  },
  language: { locale: 'en-US', displayName: 'English (United States)' },
  workingHours: {
    daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
    startTime: '08:00:00.0000000',
    endTime: '17:00:00.0000000',
    timeZone: { name: 'Pacific Standard Time' },
  },
};

const withSetting = (setting: Record<string, unknown>) => ({
  ...documentedMailboxSettings,
  automaticRepliesSetting: { ...documentedMailboxSettings.automaticRepliesSetting, ...setting },
});

describe('normalizeGraphAutomaticReplies', () => {
  it('when given the documented mailboxSettings, then the schedule is in UTC', () => {
    expect(normalizeGraphAutomaticReplies(documentedMailboxSettings)).toEqual({
      status: 'scheduled',
      start: '2016-03-14T07:00:00.000Z',
      end: '2016-03-28T07:00:00.000Z',
    });
  });

  it('when given the setting alone, then it is read the same way', () => {
    expect(normalizeGraphAutomaticReplies(documentedMailboxSettings.automaticRepliesSetting)).toMatchObject({ status: 'scheduled' });
  });

  it.each([
    ['disabled', { status: 'disabled' }],
    ['alwaysEnabled', { status: 'alwaysEnabled' }],
    ['AlwaysEnabled', { status: 'alwaysEnabled' }],
  ])('when status is %s, then the result is %o', (status, expected) => {
    expect(normalizeGraphAutomaticReplies(withSetting({ status }))).toEqual(expected);
  });

  it('when the schedule is in an IANA zone, then it is converted with that zone\'s offset (summer time included)', () => {
    const raw = withSetting({
      scheduledStartDateTime: { dateTime: '2024-01-15T09:00:00.0000000', timeZone: 'Europe/Stockholm' },
      scheduledEndDateTime: { dateTime: '2024-07-15T09:00:00.0000000', timeZone: 'Europe/Stockholm' },
    });
    expect(normalizeGraphAutomaticReplies(raw)).toEqual({ status: 'scheduled', start: '2024-01-15T08:00:00.000Z', end: '2024-07-15T07:00:00.000Z' });
  });

  it('when the schedule is in a Windows zone, then the given resolver maps it to IANA', () => {
    const raw = withSetting({
      scheduledStartDateTime: { dateTime: '2024-03-11T08:00:00.0000000', timeZone: 'Pacific Standard Time' },
      scheduledEndDateTime: { dateTime: '2024-03-12T08:00:00.0000000', timeZone: 'Pacific Standard Time' },
    });
    const resolve = (zone: string) => (zone === 'Pacific Standard Time' ? 'America/Los_Angeles' : undefined);
    expect(normalizeGraphAutomaticReplies(raw, resolve)).toEqual({ status: 'scheduled', start: '2024-03-11T15:00:00.000Z', end: '2024-03-12T15:00:00.000Z' });
  });

  it('when the zone cannot be resolved, then the state is unreadable (undefined), not guessed', () => {
    const raw = withSetting({ scheduledStartDateTime: { dateTime: '2024-03-11T08:00:00', timeZone: 'Pacific Standard Time' } });
    expect(normalizeGraphAutomaticReplies(raw)).toBeUndefined();
  });

  it('when scheduled has no dates or the input is not settings, then the result is undefined', () => {
    expect(normalizeGraphAutomaticReplies({ automaticRepliesSetting: { status: 'scheduled' } })).toBeUndefined();
    expect(normalizeGraphAutomaticReplies({ automaticRepliesSetting: { status: 'sometimes' } })).toBeUndefined();
    expect(normalizeGraphAutomaticReplies('nope')).toBeUndefined();
  });
});
