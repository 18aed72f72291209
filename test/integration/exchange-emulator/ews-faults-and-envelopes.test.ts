import { beforeEach, describe, expect, it } from 'vitest';
import { createEwsEmulator, type EwsEmulator } from '../../../tools/emulators/exchange/ews-emulator-control.js';
import { M, SERVICE_ACCOUNT, SOAP, T, calendarItems, calendarView, call, els, faultCode, getUserOofSettings, messages, one, textOf } from './ews-test-xml.js';

const ANNA = 'anna@contoso.com';
const BEN = 'ben@contoso.com';
const window = ['2026-06-01T00:00:00Z', '2026-06-10T00:00:00Z'] as const;

describe('EWS emulator: switchable faults', () => {
  let ews: EwsEmulator;
  beforeEach(() => {
    ews = createEwsEmulator();
    for (const address of [ANNA, BEN]) ews.control.addMailbox({ address, impersonators: [SERVICE_ACCOUNT] });
  });
  const view = (mailbox: string) => call(ews.service, calendarView(...window), { impersonate: mailbox });

  it('when ErrorServerBusy is switched on for one mailbox once, then its next request is an HTTP 500 fault with BackOffMilliseconds; the other mailbox and the one after are served', async () => {
    const busy = ews.control.addFault({ kind: 'ErrorServerBusy', mailbox: ANNA, times: 1, backOffMs: 4_500 });

    const other = await view(BEN);
    const refused = await view(ANNA);
    const after = await view(ANNA);

    expect(other.status).toBe(200);
    expect([refused.status, faultCode(refused)]).toEqual([500, 'ErrorServerBusy']);
    const value = one(one(refused.doc, SOAP, 'Fault'), T, 'Value');
    expect([value.getAttribute('Name'), value.textContent]).toEqual(['BackOffMilliseconds', '4500']);
    expect(after.status).toBe(200);
    expect(busy.served).toBe(1);
  });

  it('when ErrorExceededConnectionCount is on, then a response-message error in an HTTP 200 answer (or a fault when asked)', async () => {
    ews.control.addFault({ kind: 'ErrorExceededConnectionCount', times: 1 });
    ews.control.addFault({ kind: 'ErrorExceededConnectionCount', times: 1, delivery: 'fault' });

    const asMessage = await view(ANNA);
    const asFault = await view(ANNA);

    expect([asMessage.status, messages(asMessage).map((m) => [m.cls, m.code])]).toEqual([200, [['Error', 'ErrorExceededConnectionCount']]]);
    expect([asFault.status, faultCode(asFault)]).toEqual([500, 'ErrorExceededConnectionCount']);
  });

  it('when 503, a stray 401, ErrorAccessDenied, ErrorNonExistentMailbox and ErrorImpersonateUserDenied are switched on server-wide, then each answers as Exchange does', async () => {
    const answers = [];
    for (const kind of ['http503', 'http401', 'ErrorAccessDenied', 'ErrorNonExistentMailbox', 'ErrorImpersonateUserDenied'] as const) {
      const handle = ews.control.addFault({ kind });
      answers.push(await view(ANNA));
      handle.clear();
    }
    const [unavailable, unauthorised, denied, missing, impersonation] = answers;

    expect(unavailable!.status).toBe(503);
    expect([unauthorised!.status, unauthorised!.headers['WWW-Authenticate']]).toEqual([401, 'Negotiate, NTLM']);
    expect([denied!.status, messages(denied!).map((m) => m.code)]).toEqual([200, ['ErrorAccessDenied']]);
    expect([missing!.status, faultCode(missing!)]).toEqual([500, 'ErrorNonExistentMailbox']);
    expect([impersonation!.status, faultCode(impersonation!)]).toEqual([500, 'ErrorImpersonateUserDenied']);
    expect((await view(ANNA)).status).toBe(200);
  });

  it('when a fault is limited to one operation, then the others pass', async () => {
    ews.control.addFault({ kind: 'ErrorServerBusy', operation: 'GetUserOofSettings' });
    expect((await view(ANNA)).status).toBe(200);
    expect((await call(ews.service, getUserOofSettings(ANNA), { impersonate: ANNA })).status).toBe(500);
  });

  it('when an account has more requests in flight than EWSMaxConcurrency, then the extra ones get ErrorExceededConnectionCount; the peaks per mailbox and account are kept', async () => {
    const loaded = createEwsEmulator({ latencyMs: 150, maxConcurrency: 3 });
    for (const address of [ANNA, BEN]) loaded.control.addMailbox({ address, impersonators: [SERVICE_ACCOUNT] });

    const answers = await Promise.all([ANNA, ANNA, BEN, ANNA, BEN].map((mailbox) => call(loaded.service, calendarView(...window), { impersonate: mailbox })));

    expect(answers.map((a) => messages(a)[0]!.code).sort()).toEqual(['ErrorExceededConnectionCount', 'ErrorExceededConnectionCount', 'NoError', 'NoError', 'NoError']);
    expect(loaded.control.peakInFlight({ account: SERVICE_ACCOUNT })).toBe(5);
    expect(loaded.control.peakInFlight({ mailbox: ANNA })).toBe(3);
    expect(loaded.control.counters()).toEqual({ [ANNA]: { FindItem: 3 }, [BEN]: { FindItem: 2 } });
  });

  it('when a timeout is switched on, then the answer comes that late', async () => {
    ews.control.addFault({ kind: 'timeout', delayMs: 300, times: 1 });
    const started = performance.now();
    const answer = await view(ANNA);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(answer.status).toBe(200);
  });
});

describe('EWS emulator: envelopes', () => {
  const setUp = (prefixes?: 'exchange' | 'reference' | 'unusual'): EwsEmulator => {
    const ews = createEwsEmulator(prefixes === undefined ? {} : { prefixes });
    ews.control.addMailbox({ address: ANNA, timeZone: 'Europe/Paris', impersonators: [SERVICE_ACCOUNT] });
    ews.control.createItem(ANNA, { subject: 'Planning', start: '2026-06-02T09:00:00Z', end: '2026-06-02T10:00:00Z' });
    return ews;
  };

  it("when nothing is chosen, then Exchange's own prefixes: s:Envelope and h:ServerVersionInfo of Exchange 2019", async () => {
    const answer = await call(setUp().service, calendarView(...window), { impersonate: ANNA });

    expect(answer.text).toMatch(/^<\?xml[^>]*\?><s:Envelope /);
    expect(answer.text).toContain('<h:ServerVersionInfo ');
    const version = one(answer.doc, T, 'ServerVersionInfo');
    expect([version.parentNode?.localName, version.getAttribute('MajorVersion'), version.getAttribute('MinorVersion')]).toEqual(['Header', '15', '2']);
    expect(els(answer.doc, M, 'FindItemResponseMessage')[0]!.getAttribute('ResponseClass')).toBe('Success');
  });

  it('when unusual prefixes are chosen, then the text changes and the namespaces do not', async () => {
    const exchange = await call(setUp('exchange').service, calendarView(...window), { impersonate: ANNA });
    const unusual = await call(setUp('unusual').service, calendarView(...window), { impersonate: ANNA });
    const reference = await call(setUp('reference').service, calendarView(...window), { impersonate: ANNA });

    expect(unusual.text).not.toMatch(/<(s|m|t):/);
    expect(reference.text).toMatch(/<soap:Envelope /);
    for (const answer of [exchange, unusual, reference]) {
      expect(calendarItems(answer.doc).map((i) => [i.Subject, i.Start])).toEqual([['Planning', '2026-06-02T09:00:00Z']]);
      expect(textOf(answer.doc, M, 'ResponseCode')).toBe('NoError');
    }
  });

  it('when a request uses its own prefixes and default namespaces, then it is read all the same', async () => {
    const ews = setUp();
    const body =
      `<?xml version="1.0"?><x:Envelope xmlns:x="${SOAP}"><x:Header><RequestServerVersion xmlns="${T}" Version="Exchange2013_SP1"/>` +
      `<q:ExchangeImpersonation xmlns:q="${T}"><q:ConnectingSID><q:PrimarySmtpAddress>${ANNA}</q:PrimarySmtpAddress></q:ConnectingSID></q:ExchangeImpersonation></x:Header>` +
      `<x:Body><FindItem xmlns="${M}" Traversal="Shallow"><ItemShape><BaseShape xmlns="${T}">AllProperties</BaseShape></ItemShape>` +
      `<CalendarView StartDate="${window[0]}" EndDate="${window[1]}"/><ParentFolderIds><DistinguishedFolderId xmlns="${T}" Id="calendar"/></ParentFolderIds></FindItem></x:Body></x:Envelope>`;

    const answer = await ews.service({ user: SERVICE_ACCOUNT, body, headers: { 'x-anchormailbox': ANNA } });

    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Planning');
  });

  it('when an account without a mailbox asks GetServerTimeZones (a connection check), then it gets the zones asked for, unknown ones left out', async () => {
    const answer = await call(setUp().service, `<m:GetServerTimeZones ReturnFullTimeZoneData="false"><m:Ids><t:Id>UTC</t:Id><t:Id>Romance Standard Time</t:Id><t:Id>Mars Standard Time</t:Id></m:Ids></m:GetServerTimeZones>`, { user: 'CONTOSO\\probe' });

    expect(messages(answer).map((m) => [m.cls, m.code])).toEqual([['Success', 'NoError']]);
    expect(els(answer.doc, T, 'TimeZoneDefinition').map((d) => d.getAttribute('Id'))).toEqual(['UTC', 'Romance Standard Time']);
  });

  it('when the body is not XML, then an HTTP 500 schema fault', async () => {
    const answer = await setUp().service({ user: SERVICE_ACCOUNT, body: 'hello', headers: {} });
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('ErrorSchemaValidation');
  });
});
