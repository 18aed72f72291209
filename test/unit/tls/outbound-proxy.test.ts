import { describe, expect, it } from 'vitest';
import { bypassed, proxyFor } from '../../../shared/tls/outbound-proxy.js';

const https = new URL('https://cmg.corp.example.com/CMG Office');
const http = new URL('http://cmg.corp.example.com:8080/');

describe('CMG proxy selection', () => {
  it('when HTTPS_PROXY is set, then https targets use it and http targets do not', () => {
    expect(proxyFor(https, { HTTPS_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128');
    expect(proxyFor(http, { HTTPS_PROXY: 'http://proxy:3128' })).toBeUndefined();
  });

  it('when only HTTP_PROXY is set, then both schemes use it; lower-case names count too', () => {
    expect(proxyFor(https, { http_proxy: 'proxy:3128' })).toBe('http://proxy:3128');
    expect(proxyFor(http, { HTTP_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128');
  });

  it('when no proxy variable is set, then the connection is direct', () => {
    expect(proxyFor(https, { NO_PROXY: '' })).toBeUndefined();
  });

  it.each([
    ['*', true],
    ['corp.example.com', true],
    ['.example.com', true],
    ['*.example.com', true],
    ['other.com, cmg.corp.example.com', true],
    ['cmg.corp.example.com:443', true],
    ['cmg.corp.example.com:8443', false],
    ['example.co', false],
    ['mg.corp.example.com', false],
  ])('when NO_PROXY is "%s", then bypassing the proxy for the https target is %s', (noProxy, expected) => {
    expect(bypassed(https, noProxy)).toBe(expected);
    expect(proxyFor(https, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy }) === undefined).toBe(expected);
  });

  it('when NO_PROXY names an IPv6 address, then that target bypasses', () => {
    expect(bypassed(new URL('http://[::1]:7071/'), '[::1]')).toBe(true);
    expect(bypassed(new URL('http://[::1]:7071/'), '::1')).toBe(true);
    expect(bypassed(new URL('http://[::1]:7071/'), '[::1]:8080')).toBe(false);
  });
});
