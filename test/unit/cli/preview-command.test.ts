import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCalsync } from '../../../cli/calsync-command.js';
import { runPreview, type PreviewIo } from '../../../cli/preview-command.js';

const FIXTURES = 'test/fixtures/preview';
const io = (extra: Record<string, string> = {}): PreviewIo => ({
  readFile: async (path) => (path in extra ? extra[path]! : readFile(path, 'utf8')),
  now: () => new Date('2026-03-30T07:00:00Z'),
});
const common = ['--settings', `${FIXTURES}/settings.json`, '--codes', `${FIXTURES}/codes.json`, '--now', '2026-03-30T07:00:00Z'];
const graph = ['--provider', 'graph', '--events', `${FIXTURES}/graph-calendar-view.json`, '--time-zone', 'Europe/Stockholm', ...common];

describe('calsync preview', () => {
  it('when given the Graph sample, then activities sorted by start with offsets and exit code 0', async () => {
    const result = await runPreview(graph, io());
    expect(result.exitCode).toBe(0);
    const { activities } = JSON.parse(result.stdout) as { activities: Array<Record<string, unknown>> };
    expect(activities.map((a) => a.text)).toEqual([
      'Weekly team meeting (Room Mälaren)',
      'Lunch with Tom (Kafé Linnea)',
      'Customer visit Volvo (Torslanda)',
      'Private appointment',
      'Easter holiday',
      'Weekly team meeting (Room Mälaren)',
      'Trip to Oslo (Oslo)',
    ]);
    expect(activities[4]).toEqual({
      externalId: expect.stringMatching(/^graph-[A-Za-z0-9_-]+$/),
      start: '2026-04-02T00:00:00+02:00',
      end: '2026-04-07T00:00:00+02:00',
      code: '5',
      text: 'Easter holiday',
      forward: false,
      inConference: false,
      sign: 'Calendar',
      private: false,
    });
    expect(result.stdout).not.toContain('Folktandvården');
    expect(result.stdout).not.toContain('skipped');
  });

  it('when --explain, then skipped events with reasons', async () => {
    const result = await runPreview([...graph, '--explain'], io());
    expect(JSON.parse(result.stdout).skipped).toEqual([
      { eventId: 'AAMkAGI2TGuLAAF=', reason: 'declined' },
      { eventId: 'AAMkAGI2TGuLAAG=', reason: 'free' },
      { eventId: 'AAMkAGI2TGuLAAH=', reason: 'cancelled' },
      { eventId: 'AAMkAGI2TGuLAAI=', reason: 'working-elsewhere' },
      { eventId: 'AAMkAGI2TGuLAAK=', reason: 'outside-window' },
    ]);
  });

  it('when given a calendarView/delta page with occurrence stubs, then stubs take their master’s fields from the same file, masters are not activities, and stubs without a master are unresolved-series', async () => {
    const args = ['--provider', 'graph', '--events', `${FIXTURES}/graph-delta.json`, '--time-zone', 'Europe/Stockholm', ...common, '--now', '2026-03-28T07:00:00Z', '--explain'];
    const result = await runPreview(args, io());
    expect(result.exitCode).toBe(0);
    const { activities, skipped } = JSON.parse(result.stdout) as { activities: Array<Record<string, unknown>>; skipped: Array<{ eventId: string; reason: string }> };
    expect(activities.filter((a) => a.text === 'Daily stand-up')).toHaveLength(5);
    expect(activities.filter((a) => a.text === 'Parental leave').map((a) => a.code)).toEqual(['5', '5', '5']);
    expect(activities.filter((a) => a.private === true).map((a) => a.text)).toEqual(['Private appointment', 'Private appointment']);
    expect(activities.some((a) => a.text === '')).toBe(false);
    expect(skipped.filter((s) => s.reason === 'series-master').map((s) => s.eventId).sort()).toEqual(['AAMkAGI2TGuLAAD=', 'AAMkAGI2TGuLAAE=', 'AAMkAGI2TGuLAAF=', 'AAMkAGI2TGuLAAG=']);
    expect(skipped.filter((s) => s.reason === 'unresolved-series')).toHaveLength(2);
    expect(skipped.filter((s) => s.reason === 'free')).toHaveLength(2);
    expect(result.stdout).not.toContain('Therapy');
  });

  it('when given the Google sample without --time-zone, then the calendar’s own zone', async () => {
    const result = await runPreview(['--provider', 'google', '--events', `${FIXTURES}/google-events.json`, ...common], io());
    const { activities } = JSON.parse(result.stdout) as { activities: Array<{ start: string; code: string }> };
    expect(activities[0]?.start).toBe('2026-03-30T09:30:00-04:00');
    expect(activities.map((a) => a.code)).toEqual(['11', '11', '11', '7', '11', '11', '5']);
  });

  it('when automatic replies in a Windows zone are given, then an OOF activity', async () => {
    const result = await runPreview([...graph, '--automatic-replies', `${FIXTURES}/automatic-replies.json`], io());
    const { activities } = JSON.parse(result.stdout) as { activities: Array<{ start: string; end: string; code: string }> };
    expect(activities.at(-1)).toMatchObject({ start: '2026-04-09T17:00:00+02:00', end: '2026-04-13T08:00:00+02:00', code: '5' });
  });

  it('when --user-forward true and --language sv, then forwarding on and Swedish descriptions match', async () => {
    const events = JSON.stringify({ value: [{ id: 'e1', subject: 'Möte om budget', start: { dateTime: '2026-03-31T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-31T09:00:00', timeZone: 'UTC' } }] });
    const result = await runPreview(['--provider', 'graph', '--events', 'e.json', '--settings', 's.json', '--codes', `${FIXTURES}/codes.json`, '--user-forward', 'true', '--language', 'sv'], io({ 'e.json': events, 's.json': '{"OOF_CODE":"5","DEFAULT_CODE":"1","CATEGORY_CODES":{"X":"7"}}' }));
    expect(JSON.parse(result.stdout).activities[0]).toMatchObject({ code: '11', forward: true });
  });

  it('when one event is invalid, then it is skipped as invalid and the rest still map', async () => {
    const events = JSON.stringify({ value: [{ id: 'bad' }, { id: 'good', subject: 'Hi', start: { dateTime: '2026-03-31T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-03-31T09:00:00', timeZone: 'UTC' } }] });
    const result = await runPreview(['--provider', 'graph', '--events', 'e.json', ...common, '--explain'], io({ 'e.json': events }));
    const output = JSON.parse(result.stdout);
    expect(output.activities).toHaveLength(1);
    expect(output.skipped).toEqual([expect.objectContaining({ eventId: 'bad', reason: 'invalid', detail: expect.any(String) })]);
  });

  it.each([
    ['a missing events file', ['--provider', 'graph', '--events', 'nope.json', ...common], /cannot read --events nope.json: no such file/],
    ['invalid JSON', ['--provider', 'graph', '--events', 'bad.json', ...common], /bad.json is not valid JSON/],
    ['a Google list given as Graph', ['--provider', 'graph', '--events', `${FIXTURES}/google-events.json`, ...common], /not a Graph event list/],
    ['a Graph list given as Google', ['--provider', 'google', '--events', `${FIXTURES}/graph-calendar-view.json`, ...common], /not a Google events.list response/],
    ['no settings', ['--provider', 'graph', '--events', `${FIXTURES}/graph-calendar-view.json`], /invalid settings \(no --settings FILE given\): OOF_CODE is required/],
    ['invalid settings', ['--provider', 'graph', '--events', `${FIXTURES}/graph-calendar-view.json`, '--settings', 'bad-settings.json'], /invalid settings \(in bad-settings.json\): DEFAULT_CODE is required unless SYNC_ONLY_MATCHED=true/],
    ['a codes file of the wrong shape', ['--provider', 'graph', '--events', `${FIXTURES}/graph-calendar-view.json`, '--settings', `${FIXTURES}/settings.json`, '--codes', `${FIXTURES}/settings.json`], /not a CMG \/codes response/],
    ['unreadable automatic replies', [...graph, '--automatic-replies', `${FIXTURES}/codes.json`], /not a readable Graph automaticRepliesSetting/],
    ['an unknown option', [...graph, '--bogus'], /Unknown option '--bogus'/],
    ['an unknown provider', ['--provider', 'caldav', '--events', 'x'], /--provider must be graph, google or exchange/],
    ['no events option', ['--provider', 'graph'], /--events FILE is required/],
    ['a bad --now', [...graph, '--now', 'yesterday'], /--now must be an ISO 8601 date-time/],
    ['a bad --time-zone', [...graph, '--time-zone', 'Mars/Olympus'], /--time-zone must be an IANA time zone/],
    ['a bad --user-forward', [...graph, '--user-forward', 'yes'], /--user-forward must be true or false/],
    ['a stray argument', [...graph, 'extra'], /Unexpected argument 'extra'/],
  ])('when given %s, then exit code 2 and one line on stderr', async (_name, argv, message) => {
    const result = await runPreview(argv, io({ 'bad.json': '{"value": [', 'bad-settings.json': '{"OOF_CODE":"5"}' }));
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('when a stranger’s unanswered invitation asks for forwarding and an absence code, then preview shows neither, on Graph and Google alike', async () => {
    // U+202E (right-to-left override) and U+200B (zero-width space) hide in the subject.
    const subject = '*Vacation \u202Eyrt\u200Bsim';
    const graphFile = JSON.stringify({
      value: [
        { id: 'invite', subject, isOrganizer: false, showAs: 'tentative', responseStatus: { response: 'notResponded' }, start: { dateTime: '2026-03-31T08:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-03-31T17:00:00.0000000', timeZone: 'UTC' } },
        { id: 'own', subject: '*Travel to Oslo', responseStatus: { response: 'organizer' }, showAs: 'busy', start: { dateTime: '2026-04-01T08:00:00.0000000', timeZone: 'UTC' }, end: { dateTime: '2026-04-01T17:00:00.0000000', timeZone: 'UTC' } },
      ],
    });
    const googleFile = JSON.stringify({
      timeZone: 'Europe/Stockholm',
      items: [
        {
          id: 'invite', status: 'confirmed', summary: subject, start: { dateTime: '2026-03-31T10:00:00+02:00' }, end: { dateTime: '2026-03-31T19:00:00+02:00' },
          attendees: [{ email: 'stranger@elsewhere.example', organizer: true, responseStatus: 'accepted' }, { email: 'sam@example.com', self: true, responseStatus: 'needsAction' }],
        },
        { id: 'own', status: 'confirmed', summary: '*Travel to Oslo', start: { dateTime: '2026-04-01T10:00:00+02:00' }, end: { dateTime: '2026-04-01T19:00:00+02:00' } },
      ],
    });
    const files = { 'graph.json': graphFile, 'google.json': googleFile };
    for (const provider of ['graph', 'google'] as const) {
      const result = await runPreview(['--provider', provider, '--events', `${provider}.json`, '--time-zone', 'Europe/Stockholm', '--user-forward', 'false', ...common], io(files));
      expect(result.exitCode).toBe(0);
      const { activities } = JSON.parse(result.stdout) as { activities: Array<{ code: string; forward: boolean; text: string }> };
      expect(activities.map(({ code, forward, text }) => ({ code, forward, text }))).toEqual([
        { code: '11', forward: false, text: 'Vacation yrtsim' },
        { code: '7', forward: true, text: 'Travel to Oslo' },
      ]);
    }
    const off = await runPreview(['--provider', 'graph', '--events', 'graph.json', '--explain', '--settings', 'unanswered-off.json', '--codes', `${FIXTURES}/codes.json`, '--now', '2026-03-30T07:00:00Z'], io({ ...files, 'unanswered-off.json': JSON.stringify({ OOF_CODE: '5', DEFAULT_CODE: '11', SYNC_UNANSWERED: 'false' }) }));
    expect(JSON.parse(off.stdout).skipped).toEqual([{ eventId: 'invite', reason: 'unanswered' }]);
  });

  it('when --help, then usage on stdout and exit code 0', async () => {
    const result = await runPreview(['--help'], io());
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toContain('calsync preview --provider graph|google|exchange --events FILE');
  });
});

describe('calsync preview --provider exchange', () => {
  const exchange = ['--provider', 'exchange', '--events', `${FIXTURES}/exchange-calendar-view.xml`, '--time-zone', 'Europe/Stockholm', ...common];
  type Activity = { externalId: string; start: string; end: string; code: string; text: string; forward: boolean; inConference: boolean; private: boolean };

  it('when given the FindItem CalendarView sample, then the same rules as Graph and Google: series occurrences and exceptions, the all-day holiday on its local days, the private item masked, the stranger’s invitation held back', async () => {
    const result = await runPreview(exchange, io());
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    const { activities } = JSON.parse(result.stdout) as { activities: Activity[] };
    expect(activities.map(({ start, code, text, forward, inConference, private: isPrivate }) => ({ start, code, text, forward, inConference, private: isPrivate }))).toEqual([
      { start: '2026-03-30T14:00:00+02:00', code: '12', text: 'Customer visit Volvo (Torslanda)', forward: false, inConference: false, private: false },
      { start: '2026-03-31T09:00:00+02:00', code: '11', text: 'Weekly team meeting (Room Mälaren)', forward: false, inConference: true, private: false },
      { start: '2026-04-01T08:00:00+02:00', code: '11', text: 'Private appointment', forward: false, inConference: false, private: true },
      // '*Vacation planning' from a stranger: neither forwarding nor the Vacation code.
      { start: '2026-04-01T13:00:00+02:00', code: '11', text: 'Vacation planning (Online)', forward: false, inConference: false, private: false },
      { start: '2026-04-02T00:00:00+02:00', code: '5', text: 'Easter holiday', forward: false, inConference: false, private: false },
      // The exception moved from 7 April to 8 April keeps its own fields.
      { start: '2026-04-08T14:00:00+02:00', code: '11', text: 'Weekly team meeting (Room Siljan)', forward: false, inConference: true, private: false },
      // Sensitivity Personal is not private.
      { start: '2026-04-09T08:00:00+02:00', code: '7', text: 'Trip to Oslo (Oslo)', forward: false, inConference: false, private: false },
    ]);
    // Exchange sends the all-day holiday as 2026-04-01T22:00Z to 2026-04-06T22:00Z: 2 to 6 April in Stockholm.
    expect(activities[4]).toMatchObject({ externalId: expect.stringMatching(/^exchange-[A-Za-z0-9_-]+$/), end: '2026-04-07T00:00:00+02:00' });
    expect(result.stdout).not.toContain('Folktandvården');
    expect(result.stdout).not.toContain('Dentist');
  });

  it('when --explain, then the declined, the cancelled and the occurrence outside the window, named by UID and original start', async () => {
    const result = await runPreview([...exchange, '--explain'], io());
    expect(JSON.parse(result.stdout).skipped).toEqual([
      { eventId: '040000008200E00074C5B7101A82E0080000000030D9B1A2D8BEDC01000000000000000010000000C9F4EAD7605FBC61A03D8E4F2B1C5093', reason: 'declined' },
      { eventId: '040000008200E00074C5B7101A82E0080000000090A2E4D5DBBEDC01000000000000000010000000FC27B10A9382EF94D360B1725E4F83C6', reason: 'cancelled' },
      { eventId: '040000008200E00074C5B7101A82E00800000000F0B1A6E8C3B4DC01000000000000000010000000D3C7E1A94B2F8C4D9A0E5B7F6C1D2E38|2026-04-14T07:00:00.000Z', reason: 'outside-window' },
    ]);
  });

  it('when Exchange hands out new ItemIds (as it may when an occurrence is edited into an exception), then every activity keeps its externalId', async () => {
    const sample = await readFile(`${FIXTURES}/exchange-calendar-view.xml`, 'utf8');
    const renumbered = sample.replace(/ItemId Id="([^"]+)"/g, (_m, id: string) => `ItemId Id="${id.split('').reverse().join('')}"`);
    expect(renumbered).not.toBe(sample);
    const ids = async (file: string) => (JSON.parse((await runPreview(['--provider', 'exchange', '--events', file, '--time-zone', 'Europe/Stockholm', ...common], io({ 'renumbered.xml': renumbered }))).stdout) as { activities: Activity[] }).activities.map((a) => a.externalId);
    expect(await ids('renumbered.xml')).toEqual(await ids(`${FIXTURES}/exchange-calendar-view.xml`));
  });

  it('when a GetUserOofSettings body is given, then the scheduled automatic replies as for Graph', async () => {
    const result = await runPreview([...exchange, '--automatic-replies', `${FIXTURES}/exchange-oof-settings.xml`], io());
    const { activities } = JSON.parse(result.stdout) as { activities: Activity[] };
    expect(activities.at(-1)).toMatchObject({ start: '2026-04-09T17:00:00+02:00', end: '2026-04-13T08:00:00+02:00', code: '5', text: '' });
    const graphResult = await runPreview([...graph, '--automatic-replies', `${FIXTURES}/automatic-replies.json`], io());
    const fromGraph = (JSON.parse(graphResult.stdout) as { activities: Activity[] }).activities.at(-1);
    expect({ ...activities.at(-1), externalId: '' }).toEqual({ ...fromGraph, externalId: '' });
  });

  it('when Exchange reports an invitation’s response as Unknown, then it is unanswered only when --mailbox shows someone else organises it', async () => {
    const sample = await readFile(`${FIXTURES}/exchange-calendar-view.xml`, 'utf8');
    const unknown = sample.replace('<t:MyResponseType>Accept</t:MyResponseType>', '<t:MyResponseType>Unknown</t:MyResponseType>').replace('<t:Subject>Customer visit Volvo', '<t:Subject>*Customer visit Volvo');
    const first = async (extra: string[]) => (JSON.parse((await runPreview(['--provider', 'exchange', '--events', 'unknown.xml', '--time-zone', 'Europe/Stockholm', ...common, ...extra], io({ 'unknown.xml': unknown }))).stdout) as { activities: Activity[] }).activities[0];
    expect(await first([])).toMatchObject({ code: '12', forward: true });
    expect(await first(['--mailbox', 'sam.lind@example.com'])).toMatchObject({ code: '11', forward: false });
  });

  it('when the view was cut short by MaxEntriesReturned, then the activities and a warning on stderr', async () => {
    const sample = await readFile(`${FIXTURES}/exchange-calendar-view.xml`, 'utf8');
    const result = await runPreview(['--provider', 'exchange', '--events', 'cut.xml', '--time-zone', 'Europe/Stockholm', ...common], io({ 'cut.xml': sample.replace('IncludesLastItemInRange="true"', 'IncludesLastItemInRange="false"') }));
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout).activities).toHaveLength(7);
    expect(result.stderr).toMatch(/^calsync preview: the view in cut.xml was cut short by MaxEntriesReturned/);
  });

  const fault = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorServerBusy</faultcode><faultstring>The server cannot service this request right now. Try again later.</faultstring></s:Fault></s:Body></s:Envelope>`;
  it.each([
    ['no --time-zone', ['--provider', 'exchange', '--events', `${FIXTURES}/exchange-calendar-view.xml`, ...common], /--time-zone IANA is required with --provider exchange/],
    ['a Graph list given as Exchange', ['--provider', 'exchange', '--events', `${FIXTURES}/graph-calendar-view.json`, '--time-zone', 'Europe/Stockholm', ...common], /graph-calendar-view.json is not a FindItem CalendarView response \(UnreadableResponse: /],
    ['a fault saved as the events file', ['--provider', 'exchange', '--events', 'fault.xml', '--time-zone', 'Europe/Stockholm', ...common], /not a FindItem CalendarView response \(ErrorServerBusy: The server cannot service/],
    ['an Exchange answer given as Graph', ['--provider', 'graph', '--events', `${FIXTURES}/exchange-calendar-view.xml`, ...common], /is not valid JSON/],
    ['a Graph automatic-replies file given for Exchange', [...exchange, '--automatic-replies', `${FIXTURES}/automatic-replies.json`], /not a readable GetUserOofSettings response/],
    ['a missing events file', ['--provider', 'exchange', '--events', 'nope.xml', '--time-zone', 'UTC', ...common], /cannot read --events nope.xml: no such file/],
    ['--mailbox with Graph', [...graph, '--mailbox', 'sam@example.com'], /--mailbox is for --provider exchange only/],
    ['a --mailbox that is not an address', [...exchange, '--mailbox', 'sam'], /--mailbox must be a mail address/],
  ])('when given %s, then exit code 2 and one line on stderr', async (_name, argv, message) => {
    const result = await runPreview(argv, io({ 'fault.xml': fault }));
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('calsync', () => {
  it('when the command is preview, then it runs preview', async () => {
    expect((await runCalsync(['preview', ...graph], io())).exitCode).toBe(0);
  });

  it.each([[[]], [['frob']]])('when the command is %j, then exit code 2 and one line', async (argv) => {
    const result = await runCalsync(argv, io());
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
