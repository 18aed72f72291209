import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startWebhooks, type Webhooks } from './push-harness.js';

// No deps installed: the handshake must be answered without any (a lookup would fail the call).
let webhooks: Webhooks;
beforeAll(async () => {
  webhooks = await startWebhooks();
});
afterAll(async () => {
  await webhooks.close();
});

const TOKEN = 'Validation: Testing client application reachability for subscription Request-Id: 7f0c <script>alert(document.cookie)</script> &amp; "q" ü';

describe('the validation handshake over HTTP', () => {
  it.each(['/api/graph-notifications', '/api/graph-lifecycle'])('when Graph POSTs %s?validationToken=…, then the exact token comes back as text/plain with nosniff', async (path) => {
    const res = await post(webhooks, path, { query: `?validationToken=${encodeURIComponent(TOKEN)}`, headers: { 'content-type': 'text/plain; charset=utf-8' } });

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe(TOKEN);
  });
});
