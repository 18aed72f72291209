/**
 * HTTP: the admin API and page. Function keys protect everything but /health in Azure.
 * GET health · GET mailboxes · GET reports/invalid · GET reports/multi · GET reports/dead-letters ·
 * GET reports/rejected-activities · POST mailboxes/{key}/resync ·
 * GET mailboxes/{key}/preview · GET connections/check · GET admin (the page).
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { getDeps } from '../shared/app/app-context.js';
import { ADMIN_PAGE } from '../shared/app/admin-page.js';
import { MAILBOX_STATES } from '../shared/store/mailbox-repository.js';
import { checkConnections } from '../shared/sync/check-connections.js';
import { invalidReport, listMailboxes, multiAddressReport, previewMailbox, rejectedActivityReport, requestResync } from '../shared/sync/mailbox-admin.js';

const json = (status: number, body: unknown): HttpResponseInit => ({ status, jsonBody: body });

const ListQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(1000).optional(),
  continuationToken: z.string().min(1).optional(),
  state: z.enum(MAILBOX_STATES).optional(),
});

export async function health(): Promise<HttpResponseInit> {
  return json(200, { status: 'ok' });
}

export async function mailboxes(request: HttpRequest): Promise<HttpResponseInit> {
  const query = ListQuery.safeParse(Object.fromEntries(request.query.entries()));
  if (!query.success) return json(400, { error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  return json(200, await listMailboxes(await getDeps(), query.data));
}

export async function invalidMailboxes(): Promise<HttpResponseInit> {
  return json(200, { mailboxes: await invalidReport(await getDeps()) });
}

export async function multiAddresses(): Promise<HttpResponseInit> {
  return json(200, { addresses: await multiAddressReport(await getDeps()) });
}

export async function deadLetters(): Promise<HttpResponseInit> {
  return json(200, { deadLetters: await (await getDeps()).store.deadLetters.list() });
}

export async function rejectedActivities(): Promise<HttpResponseInit> {
  return json(200, { activities: await rejectedActivityReport(await getDeps()) });
}

export async function resync(request: HttpRequest): Promise<HttpResponseInit> {
  const result = await requestResync(await getDeps(), request.params.key ?? '');
  return result === 'queued' ? json(202, { status: 'queued' }) : json(404, { error: 'unknown mailbox' });
}

export async function preview(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const result = await previewMailbox(await getDeps(), request.params.key ?? '');
  if ('error' in result) {
    context.log(`preview refused: ${result.error}`);
    return json(result.error === 'unknown mailbox' ? 404 : 422, result);
  }
  return json(200, result);
}

export async function connections(): Promise<HttpResponseInit> {
  return json(200, { checks: await checkConnections(await getDeps()) });
}

export async function adminPage(): Promise<HttpResponseInit> {
  const deps = await getDeps();
  if (!deps.config.platform.adminPage) return json(404, { error: 'the admin page is off (ADMIN_PAGE=false)' });
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'" }, body: ADMIN_PAGE };
}

app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: health });
app.http('mailboxes', { methods: ['GET'], authLevel: 'function', route: 'mailboxes', handler: mailboxes });
app.http('report-invalid', { methods: ['GET'], authLevel: 'function', route: 'reports/invalid', handler: invalidMailboxes });
app.http('report-multi', { methods: ['GET'], authLevel: 'function', route: 'reports/multi', handler: multiAddresses });
app.http('report-dead-letters', { methods: ['GET'], authLevel: 'function', route: 'reports/dead-letters', handler: deadLetters });
app.http('report-rejected', { methods: ['GET'], authLevel: 'function', route: 'reports/rejected-activities', handler: rejectedActivities });
app.http('resync', { methods: ['POST'], authLevel: 'function', route: 'mailboxes/{key}/resync', handler: resync });
app.http('preview', { methods: ['GET'], authLevel: 'function', route: 'mailboxes/{key}/preview', handler: preview });
app.http('check-connections', { methods: ['GET'], authLevel: 'function', route: 'connections/check', handler: connections });
app.http('admin', { methods: ['GET'], authLevel: 'function', route: 'admin', handler: adminPage });
