/**
 * HTTP: how the system is. `GET /api/health` is anonymous and says only `ok` (200) or `failing`
 * (503), for load balancers and availability tests; `GET /api/status` is for admins (app role
 * CalendarSync.Reader) and says why, one check per part (shared/operations/system-status.ts).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { getDeps } from '../shared/app/app-context.js';
import { READER_ROLE } from '../shared/auth/admin-caller.js';
import { systemHealth, systemStatus } from '../shared/operations/system-status.js';
import { ADMIN_JSON_HEADERS, admit } from './admin-access.js';

export async function health(): Promise<HttpResponseInit> {
  let status: 'ok' | 'failing';
  try {
    status = await systemHealth(await getDeps());
  } catch {
    // Invalid settings fail getDeps: the app cannot work, and the answer says no more than that.
    status = 'failing';
  }
  return { status: status === 'ok' ? 200 : 503, headers: { ...ADMIN_JSON_HEADERS }, jsonBody: { status } };
}

export async function status(request: HttpRequest): Promise<HttpResponseInit> {
  const deps = await getDeps();
  const access = await admit(request, deps, READER_ROLE);
  if (!access.ok) return access.response;
  return { status: 200, headers: { ...ADMIN_JSON_HEADERS }, jsonBody: await systemStatus(deps) };
}

// authLevel anonymous: /status checks Entra ID tokens itself; /health is public by design.
app.http('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health', handler: health });
app.http('status', { methods: ['GET'], authLevel: 'anonymous', route: 'status', handler: status });
