/**
 * HTTP: the admin API and page. Every route but the page itself needs an Entra ID access token
 * with an app role (functions/admin-access.ts); function keys play no part. Health and status
 * are in functions/status.ts.
 * Reader: GET mailboxes · GET mailboxes/{key} · GET reports/invalid · GET reports/multi · GET reports/dead-letters ·
 * GET reports/rejected-activities.
 * Operator: POST mailboxes/{key}/resync · GET mailboxes/{key}/preview · GET connections/check ·
 * POST mailboxes/{key}/push-secrets · POST profiles/{name}/push-secrets.
 * Anonymous: GET admin (the page: no data, it signs in and calls the API).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { getDeps } from '../shared/app/app-context.js';
import { renderAdminPage } from '../shared/admin-page/admin-page.js';
import { callerFields, OPERATOR_ROLE, READER_ROLE } from '../shared/auth/admin-caller.js';
import { MAILBOX_STATES } from '../shared/domain/mailbox.js';
import { checkConnections } from '../shared/operations/check-connections.js';
import { isAppError } from '../shared/errors/app-error.js';
import { mailboxDetail } from '../shared/operations/mailbox-detail.js';
import { listMailboxes } from '../shared/operations/mailbox-list.js';
import { previewMailbox, requestResync, requestSecretReplacement, type SecretsRequest, type SecretsTarget } from '../shared/operations/operator-actions.js';
import { deadLetterReport, invalidReport, multiAddressReport, rejectedActivityReport } from '../shared/operations/reports.js';
import { ADMIN_JSON_HEADERS, admit } from './admin-access.js';

const json = (status: number, body: unknown): HttpResponseInit => ({ status, headers: { ...ADMIN_JSON_HEADERS }, jsonBody: body });

// Search texts are short: an address is at most 254 characters (RFC 5321).
const searchText = z.string().trim().min(1).max(254).optional();
const ListQuery = z.object({
  pageSize: z.coerce.number().int().min(1).max(1000).optional(),
  continuationToken: z.string().min(1).max(2000).optional(),
  state: z.enum(MAILBOX_STATES).optional(),
  profile: z.string().min(1).max(64).optional(),
  address: searchText,
  search: searchText,
});

export async function mailboxes(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, READER_ROLE);
  if (!access.ok) return access.response;
  const query = ListQuery.safeParse(Object.fromEntries(request.query.entries()));
  if (!query.success) return json(400, { error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  try {
    return json(200, await listMailboxes(deps, query.data));
  } catch (error) {
    if (isAppError(error) && error.code === 'invalid-cursor') return json(400, { error: `continuationToken: ${error.message}` });
    throw error;
  }
}

export async function mailbox(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, READER_ROLE);
  if (!access.ok) return access.response;
  const detail = await mailboxDetail(deps, request.params.key ?? '');
  return detail === undefined ? json(404, { error: 'unknown mailbox' }) : json(200, detail);
}

/** A report for readers: the caller is admitted first, then one named list is read. */
function readerReport(name: string, read: (deps: Awaited<ReturnType<typeof getDeps>>) => Promise<unknown>) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    const access = await admit(request, deps, READER_ROLE);
    if (!access.ok) return access.response;
    return json(200, { [name]: await read(deps) });
  };
}

export const invalidMailboxes = readerReport('mailboxes', invalidReport);
export const multiAddresses = readerReport('addresses', multiAddressReport);
export const deadLetters = readerReport('deadLetters', deadLetterReport);
export const rejectedActivities = readerReport('activities', rejectedActivityReport);

export async function resync(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, OPERATOR_ROLE);
  if (!access.ok) return access.response;
  const result = await requestResync(deps, request.params.key ?? '', access.caller);
  return result === 'queued' ? json(202, { status: 'queued' }) : json(404, { error: 'unknown mailbox' });
}

export async function preview(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, OPERATOR_ROLE);
  if (!access.ok) return access.response;
  const result = await previewMailbox(deps, request.params.key ?? '', access.caller);
  if ('error' in result) return json(result.error === 'unknown mailbox' ? 404 : 422, result);
  return json(200, result);
}

const SECRETS_REFUSALS: Record<Exclude<SecretsRequest['status'], 'queued'>, [number, string]> = {
  'push-off': [409, 'push is off (WEBHOOK_BASE_URL is empty): there are no push secrets to replace'],
  'unknown-mailbox': [404, 'unknown mailbox'],
  'unknown-profile': [404, 'unknown profile'],
  'no-subscription': [409, 'the mailbox has no push subscription or channel yet (the subscriptions timer creates one after its first sync)'],
};

/** "Replace the push secrets" of one mailbox or one profile's mailboxes: queued, one job per mailbox. */
function secretReplacement(target: (request: HttpRequest) => SecretsTarget) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    const access = await admit(request, deps, OPERATOR_ROLE);
    if (!access.ok) return access.response;
    const result = await requestSecretReplacement(deps, target(request), access.caller);
    if (result.status === 'queued') return json(202, result);
    const [status, error] = SECRETS_REFUSALS[result.status];
    return json(status, { error });
  };
}

export const mailboxPushSecrets = secretReplacement((request) => ({ mailbox: request.params.key ?? '' }));
export const profilePushSecrets = secretReplacement((request) => ({ profile: request.params.name ?? '' }));

export async function connections(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, OPERATOR_ROLE);
  if (!access.ok) return access.response;
  deps.logger.info('admin.connections-checked', callerFields(access.caller));
  return json(200, { checks: await checkConnections(deps) });
}

export async function adminPage(): Promise<HttpResponseInit> {
  const deps = await getDeps();
  if (!deps.config.platform.adminPage) return json(404, { error: 'the admin page is off (ADMIN_PAGE=false)' });
  const page = renderAdminPage({ entra: deps.config.admin.entra });
  return { status: 200, headers: { ...page.headers }, body: page.html };
}

// authLevel anonymous: the admin routes check Entra ID tokens themselves, so a function key in
// the URL (`?code=`) is neither needed nor enough.
app.http('mailboxes', { methods: ['GET'], authLevel: 'anonymous', route: 'mailboxes', handler: mailboxes });
app.http('mailbox', { methods: ['GET'], authLevel: 'anonymous', route: 'mailboxes/{key}', handler: mailbox });
app.http('report-invalid', { methods: ['GET'], authLevel: 'anonymous', route: 'reports/invalid', handler: invalidMailboxes });
app.http('report-multi', { methods: ['GET'], authLevel: 'anonymous', route: 'reports/multi', handler: multiAddresses });
app.http('resync', { methods: ['POST'], authLevel: 'anonymous', route: 'mailboxes/{key}/resync', handler: resync });
app.http('preview', { methods: ['GET'], authLevel: 'anonymous', route: 'mailboxes/{key}/preview', handler: preview });
app.http('push-secrets', { methods: ['POST'], authLevel: 'anonymous', route: 'mailboxes/{key}/push-secrets', handler: mailboxPushSecrets });
app.http('profile-push-secrets', { methods: ['POST'], authLevel: 'anonymous', route: 'profiles/{name}/push-secrets', handler: profilePushSecrets });
app.http('check-connections', { methods: ['GET'], authLevel: 'anonymous', route: 'connections/check', handler: connections });
app.http('admin', { methods: ['GET'], authLevel: 'anonymous', route: 'admin', handler: adminPage });
app.http('report-dead-letters', { methods: ['GET'], authLevel: 'anonymous', route: 'reports/dead-letters', handler: deadLetters });
app.http('report-rejected', { methods: ['GET'], authLevel: 'anonymous', route: 'reports/rejected-activities', handler: rejectedActivities });
