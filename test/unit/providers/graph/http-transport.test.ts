import { describe, expect, it } from 'vitest';
import { bypassesProxy } from '../../../../shared/providers/graph/http-transport.js';

describe('bypassesProxy (NO_PROXY)', () => {
  it.each([
    ['graph.microsoft.com', '', false],
    ['graph.microsoft.com', '*', true],
    ['graph.microsoft.com', 'login.microsoftonline.com, graph.microsoft.com', true],
    ['graph.microsoft.com', '.microsoft.com', true],
    ['graph.microsoft.com', 'microsoft.com', true],
    ['notmicrosoft.com', 'microsoft.com', false],
    ['127.0.0.1', '127.0.0.1:8443,localhost', true],
  ])('when the host is %s and NO_PROXY is "%s", then bypass is %s', (host, noProxy, expected) => {
    expect(bypassesProxy(host, noProxy)).toBe(expected);
  });
});
