import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../../shared/config/config.js';
import type { ExchangeProfile } from '../../../../shared/config/profile-settings.js';
import { createExchangeCalendarProvider, type EwsPoster } from '../../../../shared/providers/exchange/exchange-calendar-provider.js';
import { exchangeToken } from '../../../../shared/providers/exchange/exchange-calendar-read.js';
import {
  CALENDAR_VIEW_RESPONSE,
  OOF_NOT_MAILBOX_OWNER,
  OOF_SETTINGS_RESPONSE,
  SERVER_BUSY_FAULT,
  SUBSCRIBE_DELEGATE_REFUSED,
  SUBSCRIBE_SUCCESS,
  SYNC_FOLDER_ITEMS_INVALID_STATE,
  SYNC_FOLDER_ITEMS_SUCCESS,
  USER_OPTIONS_NOT_FOUND,
  USER_OPTIONS_RESPONSE,
} from './ews-examples.js';

const T0 = Date.parse('2013-08-21T00:00:00Z');
const WINDOW = { start: '2013-08-20T00:00:00.000Z', end: '2013-09-04T00:00:00.000Z' };

/** Microsoft's CalendarView example, whole (its RootFolder says truncated at 33) and with distinct ids as real occurrences have. */
let id = 0;
const VIEW_COMPLETE = CALENDAR_VIEW_RESPONSE.replace('TotalItemsInView="33" IncludesLastItemInRange="false"', 'TotalItemsInView="5" IncludesLastItemInRange="true"').replace(
  /<t:ItemId Id="AAMkA?"/g,
  () => `<t:ItemId Id="item-${(id += 1)}"`,
);
const WATERMARK_REFUSED = SUBSCRIBE_DELEGATE_REFUSED.replace('ErrorSubscriptionDelegateAccessNotSupported', 'ErrorInvalidWatermark');

type Operation = 'SyncFolderItems' | 'FindItem' | 'GetUserOofSettings' | 'GetUserConfiguration' | 'Subscribe' | 'GetServerTimeZones';

/** A transport that answers each operation with a queue of bodies (the last one repeats), recording what was posted. */
class ScriptedExchange implements EwsPoster {
  readonly posted: Array<{ operation: Operation; envelope: string; anchorMailbox: string | undefined }> = [];
  constructor(private readonly answers: Partial<Record<Operation, Array<{ status: number; body: string }>>>) {}

  async post(envelope: string, options: { readonly anchorMailbox?: string | undefined }): Promise<{ status: number; body: string }> {
    const operation = (['SyncFolderItems', 'FindItem', 'GetUserOofSettings', 'GetUserConfiguration', 'Subscribe', 'GetServerTimeZones'] as const).find((op) => envelope.includes(`<m:${op}`));
    if (!operation) throw new Error(`unexpected envelope ${envelope.slice(0, 200)}`);
    this.posted.push({ operation, envelope, anchorMailbox: options.anchorMailbox });
    const queue = this.answers[operation];
    if (!queue || queue.length === 0) throw new Error(`no answer for ${operation}`);
    return queue.length > 1 ? queue.shift()! : queue[0]!;
  }
}

const ok = (body: string) => ({ status: 200, body });

function profile(access: 'impersonation' | 'delegate' = 'impersonation'): ExchangeProfile {
  const read = readConfig({
    OOF_CODE: '5',
    DEFAULT_CODE: '11',
    CMG_BASE_URL: 'https://cmg.example.com/CMG Office',
    CMG_PASSWORD: 'x',
    CMG_MESSAGE_SYSTEMS: '1',
    TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    PROFILES: 'ONPREM',
    PROFILE_ONPREM_KIND: 'exchange',
    PROFILE_ONPREM_DOMAINS: 'contoso.com',
    PROFILE_ONPREM_EWS_URL: 'https://mail.contoso.com/EWS/Exchange.asmx',
    PROFILE_ONPREM_USER_NAME: 'CONTOSO\\svc',
    PROFILE_ONPREM_PASSWORD: 'service-password',
    PROFILE_ONPREM_ACCESS: access,
  });
  if (!read.ok) throw new Error(JSON.stringify(read.problems));
  return read.config.profiles[0] as ExchangeProfile;
}

function providerWith(transport: EwsPoster, access: 'impersonation' | 'delegate' = 'impersonation') {
  const slept: number[] = [];
  const provider = createExchangeCalendarProvider(profile(access), {
    transport,
    timeZone: 'Europe/Stockholm',
    maxRetries: 2,
    automaticRepliesEveryMs: 15 * 60_000,
    statusFrequencyMinutes: 5,
    now: () => T0,
    sleep: async (ms) => {
      slept.push(ms);
    },
  });
  return { provider, slept };
}

describe('the Exchange calendar provider', () => {
  it('when a mailbox is read the first time, then SyncFolderItems, CalendarView, GetUserOofSettings and GetUserConfiguration go out as that mailbox, and the items, replies and zone come back', async () => {
    const exchange = new ScriptedExchange({
      SyncFolderItems: [ok(SYNC_FOLDER_ITEMS_SUCCESS)],
      FindItem: [ok(VIEW_COMPLETE)],
      GetUserOofSettings: [ok(OOF_SETTINGS_RESPONSE)],
      GetUserConfiguration: [ok(USER_OPTIONS_RESPONSE)],
    });
    const { provider } = providerWith(exchange);
    const result = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW });

    expect(exchange.posted.map((p) => p.operation).sort()).toEqual(['FindItem', 'GetUserConfiguration', 'GetUserOofSettings', 'SyncFolderItems']);
    expect(exchange.posted[0]!.operation).toBe('SyncFolderItems');
    for (const p of exchange.posted) {
      expect(p.anchorMailbox).toBe('alice@contoso.com');
      expect(p.envelope).toContain('<t:PrimarySmtpAddress>alice@contoso.com</t:PrimarySmtpAddress>');
    }
    // The mailbox's own zone ("Tokyo Standard Time"), not the default (Europe/Stockholm)
    expect(result).toMatchObject({ mode: 'full', timeZone: 'Asia/Tokyo', requests: 4, automaticReplies: { status: 'disabled' } });
    expect(result.nextSyncToken).toBe(exchangeToken('H4sIAAAAA=', T0, 'Asia/Tokyo'));
    const subjects = result.items.map((i) => (i.kind === 'event' ? i.event.subject : i.kind));
    expect(subjects).toEqual(['Contoso devs team meeting', 'Daily status meeting', 'Lunch with sales team', 'Tennis at the club', 'Online training webcast']);
  });

  it('when the profile reads as a delegate, then the calendar is read in the mailbox\'s folder and the refused replies are left out, not failed', async () => {
    const exchange = new ScriptedExchange({
      SyncFolderItems: [ok(SYNC_FOLDER_ITEMS_SUCCESS)],
      FindItem: [ok(VIEW_COMPLETE)],
      GetUserOofSettings: [{ status: 500, body: OOF_NOT_MAILBOX_OWNER }],
      GetUserConfiguration: [ok(USER_OPTIONS_NOT_FOUND.replace('ErrorItemNotFound', 'ErrorAccessDenied'))],
    });
    const { provider } = providerWith(exchange, 'delegate');
    const result = await provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW });
    expect(result.mode).toBe('full');
    // The root folder refused to a delegate: the default zone
    expect(result.timeZone).toBe('Europe/Stockholm');
    expect(exchange.posted.find((p) => p.operation === 'GetUserConfiguration')!.envelope).toContain('<t:DistinguishedFolderId Id="root"><t:Mailbox><t:EmailAddress>alice@contoso.com</t:EmailAddress>');
    expect(result.automaticReplies).toBeUndefined();
    expect(exchange.posted.find((p) => p.operation === 'FindItem')!.envelope).not.toContain('ExchangeImpersonation');
  });

  it('when Exchange is busy with a wait longer than is slept here, then the job gets the wait', async () => {
    const exchange = new ScriptedExchange({ SyncFolderItems: [{ status: 500, body: SERVER_BUSY_FAULT }] });
    const { provider, slept } = providerWith(exchange);
    await expect(provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW })).rejects.toMatchObject({ kind: 'transient', code: 'throttled', retryAfterMs: 297_749 });
    expect(slept).toEqual([]);
  });

  it('when the sync state is refused, then the job is told to start over', async () => {
    const exchange = new ScriptedExchange({ SyncFolderItems: [ok(SYNC_FOLDER_ITEMS_INVALID_STATE)] });
    const { provider } = providerWith(exchange);
    await expect(provider.fetchCalendar({ address: 'alice@contoso.com', window: WINDOW, syncToken: exchangeToken('old', T0) })).rejects.toMatchObject({ kind: 'resync' });
  });

  it('when a push subscription is made, then Exchange\'s id comes back; a refused watermark is dropped and the subscription made afresh', async () => {
    const exchange = new ScriptedExchange({ Subscribe: [ok(WATERMARK_REFUSED), ok(SUBSCRIBE_SUCCESS)] });
    const { provider } = providerWith(exchange);
    const created = await provider.subscribe({
      address: 'alice@contoso.com',
      notificationUrl: 'https://calsync.example.com/api/ews-notifications/0b8f/secret',
      secret: 'secret',
      expiresAt: '2013-08-21T00:10:00.000Z',
      watermark: 'AAAAOLD',
    });
    expect(created).toEqual({ id: '39ea5d0f-f062-455e-a1e9-89c0304390f4', address: 'alice@contoso.com', expiresAt: '2013-08-21T00:10:00.000Z' });
    expect(exchange.posted.map((p) => p.envelope.includes('<t:Watermark>AAAAOLD</t:Watermark>'))).toEqual([true, false]);
    expect(exchange.posted[1]!.envelope).toContain('<t:StatusFrequency>5</t:StatusFrequency>');
  });

  it('when Exchange refuses to push to a delegate, then the profile\'s configuration is named', async () => {
    const exchange = new ScriptedExchange({ Subscribe: [ok(SUBSCRIBE_DELEGATE_REFUSED)] });
    const { provider } = providerWith(exchange, 'delegate');
    await expect(provider.subscribe({ address: 'alice@contoso.com', notificationUrl: 'https://calsync.example.com/api/ews-notifications/1/s', secret: 's', expiresAt: '2013-08-21T00:10:00.000Z' })).rejects.toMatchObject({
      kind: 'configuration',
      code: 'exchange-push-delegate',
    });
  });

  it('when the connection is checked, then any EWS answer passes and a web page that is not EWS names the URL', async () => {
    const ews = new ScriptedExchange({ GetServerTimeZones: [{ status: 500, body: SERVER_BUSY_FAULT }] });
    await expect(providerWith(ews).provider.checkConnection()).resolves.toBeUndefined();
    const iis = new ScriptedExchange({ GetServerTimeZones: [{ status: 404, body: '<html><body>404 - File or directory not found.</body></html>' }] });
    await expect(providerWith(iis).provider.checkConnection()).rejects.toMatchObject({ kind: 'configuration', code: 'exchange-url-not-found' });
  });

  it('when push subscriptions are renewed or ended, then nothing goes to Exchange: they are replaced, and end when their next notification is answered Unsubscribe', async () => {
    const exchange = new ScriptedExchange({});
    const { provider } = providerWith(exchange);
    await expect(provider.renew({ id: 'x', expiresAt: '2013-08-21T00:10:00.000Z' }, '2013-08-21T00:20:00.000Z')).rejects.toMatchObject({ kind: 'permanent', code: 'renew-unsupported' });
    await expect(provider.unsubscribe({ id: 'x', resourceId: 'ews-id', expiresAt: '2013-08-21T00:10:00.000Z' })).resolves.toBeUndefined();
    expect(exchange.posted).toEqual([]);
  });
});
