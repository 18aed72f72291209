/**
 * Reading a webhook body safely: JSON (or, for Exchange, XML) content type, at most 1 MiB (read from the stream and
 * stopped at the cap, never buffered whole first), valid JSON, the expected shape. Every
 * failure is a 400/413/415 answer without side effects. The host refuses larger bodies before
 * this code runs (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT in infra/app/api.bicep).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

export const MAX_WEBHOOK_BODY = 1024 * 1024;

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

const refuse = (status: number, message: string): { ok: false; response: HttpResponseInit } => ({ ok: false, response: { status, jsonBody: { error: message } } });

export async function readJsonBody<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<BodyResult<T>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return refuse(415, 'expected Content-Type: application/json');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_WEBHOOK_BODY) return refuse(413, 'body larger than 1 MiB');
  const text = await readCapped(request, MAX_WEBHOOK_BODY);
  if (text === undefined) return refuse(413, 'body larger than 1 MiB');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return refuse(400, 'body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return refuse(400, `body does not match: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'} ${i.message}`).join('; ')}`);
  return { ok: true, value: parsed.data };
}

/** Exchange posts its SOAP envelopes as text/xml (SOAP 1.1); the body is read as text, capped like JSON bodies. */
export async function readXmlBody(request: HttpRequest): Promise<BodyResult<string>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^(text|application)\/xml\s*(;|$)/i.test(type)) return refuse(415, 'expected Content-Type: text/xml');
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_WEBHOOK_BODY) return refuse(413, 'body larger than 1 MiB');
  const text = await readCapped(request, MAX_WEBHOOK_BODY);
  if (text === undefined) return refuse(413, 'body larger than 1 MiB');
  return { ok: true, value: text };
}

/** The body as text, or undefined as soon as it exceeds `maxBytes` (a missing or lying Content-Length included). */
async function readCapped(request: HttpRequest, maxBytes: number): Promise<string | undefined> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Graph's tokens are about a hundred characters ("Validation: Testing client application reachability …"). */
export const MAX_VALIDATION_TOKEN = 512;

/**
 * Graph's validation handshake: echo `validationToken` as text/plain within 10 s
 * (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks#notificationurl-validation).
 * nosniff keeps a browser from ever treating the echoed token as HTML.
 */
export function validationEcho(request: HttpRequest): HttpResponseInit | undefined {
  const token = request.query.get('validationToken');
  if (token === null) return undefined;
  if (token.length > MAX_VALIDATION_TOKEN) return { status: 400, jsonBody: { error: `validationToken longer than ${MAX_VALIDATION_TOKEN} characters` } };
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: token };
}
