import functions from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { googleNotifications } from '../../../functions/google-notifications.js';
import { graphLifecycle } from '../../../functions/graph-lifecycle.js';
import { graphNotifications } from '../../../functions/graph-notifications.js';
import { ewsNotifications } from '../../../functions/ews-notifications.js';
import { MAX_VALIDATION_TOKEN, MAX_WEBHOOK_BODY, readJsonBody, readXmlBody, validationEcho } from '../../../functions/webhook-body.js';
import { GraphNotificationCollection } from '../../../shared/sync/push/graph-notification-jobs.js';

const { HttpRequest } = functions;

// No deps are installed in this file: a handler that reached for them would fail on the
// missing app settings, so every answer here is given before any lookup or enqueue.

const URL_BASE = 'https://calsync.example/api/graph-notifications';
const TOKEN = 'Validation: Testing client application reachability <script>alert("x")</script> & ü 100% +1';

function request(options: { query?: string; headers?: Record<string, string>; body?: string } = {}): InstanceType<typeof HttpRequest> {
  return new HttpRequest({
    method: 'POST',
    url: URL_BASE + (options.query ?? ''),
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: { string: options.body } }),
  });
}

const json = { 'content-type': 'application/json' };
const notification = { value: [{ subscriptionId: 'sub-1', clientState: 'secret', changeType: 'updated', resource: 'Users/u/Events/e' }] };

describe('the Graph validation handshake', () => {
  it.each([
    ['graph-notifications', graphNotifications],
    ['graph-lifecycle', graphLifecycle],
  ])('when %s is called with validationToken, then it answers 200 with exactly the token as plain text, never sniffed as HTML', async (_name, handler) => {
    // Graph sends the handshake as text/plain with an empty body.
    const answer = await handler(request({ query: `?validationToken=${encodeURIComponent(TOKEN)}`, headers: { 'content-type': 'text/plain; charset=utf-8' } }));

    expect(answer.status).toBe(200);
    expect(answer.body).toBe(TOKEN);
    expect(answer.jsonBody).toBeUndefined();
    const headers = new Headers(answer.headers as Record<string, string>);
    expect(headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('when the validationToken is longer than any Graph sends, then 400 and nothing is echoed', () => {
    const answer = validationEcho(request({ query: `?validationToken=${'A'.repeat(MAX_VALIDATION_TOKEN + 1)}` }));
    expect(answer?.status).toBe(400);
    expect(answer?.body).toBeUndefined();
    expect(validationEcho(request({ query: `?validationToken=${'A'.repeat(MAX_VALIDATION_TOKEN)}` }))?.status).toBe(200);
  });

  it('when there is no validationToken, then it is not a handshake', () => {
    expect(validationEcho(request({ query: '?other=1' }))).toBeUndefined();
  });
});

describe('reading a webhook body', () => {
  it('when the body is JSON of the expected shape, then it is parsed', async () => {
    const read = await readJsonBody(request({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(notification) }), GraphNotificationCollection);
    expect(read).toEqual({ ok: true, value: notification });
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/jsonp', { 'content-type': 'application/jsonp' }],
    ['no content type', {}],
  ])('when the content type is %s, then 415 before the body is read', async (_what, headers) => {
    const answer = await graphNotifications(request({ headers, body: JSON.stringify(notification) }));
    expect(answer.status).toBe(415);
  });

  it('when Content-Length declares more than 1 MiB, then 413', async () => {
    const answer = await graphNotifications(request({ headers: { ...json, 'content-length': String(MAX_WEBHOOK_BODY + 1) }, body: '{}' }));
    expect(answer.status).toBe(413);
  });

  it('when the body is over 1 MiB in UTF-8 bytes but under it in characters and declares no length, then 413', async () => {
    const padding = 'ü'.repeat(MAX_WEBHOOK_BODY / 2 + 1);
    expect(padding.length).toBeLessThan(MAX_WEBHOOK_BODY);
    const answer = await graphLifecycle(request({ headers: json, body: JSON.stringify({ ...notification, padding }) }));
    expect(answer.status).toBe(413);
  });

  it('when the body is exactly 1 MiB, then it is read', async () => {
    const skeleton = JSON.stringify({ ...notification, padding: '' });
    const body = JSON.stringify({ ...notification, padding: 'x'.repeat(MAX_WEBHOOK_BODY - Buffer.byteLength(skeleton)) });
    expect(Buffer.byteLength(body)).toBe(MAX_WEBHOOK_BODY);
    const read = await readJsonBody(request({ headers: { ...json, 'content-length': String(MAX_WEBHOOK_BODY) }, body }), GraphNotificationCollection);
    expect(read.ok).toBe(true);
  });

  it('when the body is not JSON, then 400 saying so', async () => {
    const answer = await graphNotifications(request({ headers: json, body: '{"value": [' }));
    expect(answer).toEqual({ status: 400, jsonBody: { error: 'body is not valid JSON' } });
  });

  it('when the JSON has the wrong shape, then 400 naming the field', async () => {
    const answer = await graphLifecycle(request({ headers: json, body: JSON.stringify({ value: [{ clientState: 'x' }] }) }));
    expect(answer.status).toBe(400);
    expect((answer.jsonBody as { error: string }).error).toContain('value.0.subscriptionId');
  });

  it('when the schema is any other, then the same rules apply', async () => {
    const read = await readJsonBody(request({ headers: json, body: '[1,2]' }), z.object({ a: z.number() }));
    expect(read.ok).toBe(false);
  });
});

describe('Google notification headers', () => {
  it.each([
    ['no channel id', { 'x-goog-resource-state': 'exists', 'x-goog-channel-token': 't' }],
    ['an unknown resource state', { 'x-goog-channel-id': 'c', 'x-goog-resource-state': 'changed', 'x-goog-channel-token': 't' }],
    ['no headers at all', {}],
  ])('when a notification has %s, then 400', async (_what, headers) => {
    const answer = await googleNotifications(request({ headers }));
    expect(answer.status).toBe(400);
  });
});

describe('the Exchange push webhook', () => {
  it.each([
    ['no content type', {}, '<x/>', 415],
    ['JSON', json, '{}', 415],
    ['XML over 1 MiB', { 'content-type': 'text/xml; charset=utf-8' }, `<x>${'a'.repeat(MAX_WEBHOOK_BODY)}</x>`, 413],
  ])('when it receives %s, then it answers %s before any lookup', async (_name, headers, body, status) => {
    const answer = await ewsNotifications(request({ headers, body }));
    expect(answer.status).toBe(status);
  });

  it('when the body is XML within the cap, then it is read as text', async () => {
    const read = await readXmlBody(request({ headers: { 'content-type': 'text/xml; charset=utf-8' }, body: '<soap:Envelope/>' }));
    expect(read).toEqual({ ok: true, value: '<soap:Envelope/>' });
  });
});
