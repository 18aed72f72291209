/**
 * An axios adapter that does no more than the CMG transport asks of it: one `node:http(s)`
 * request through the configured keep-alive (or proxy) agent, the body as text, no redirects,
 * no decompression, no progress events. Its `timeout` is a deadline from dispatch over the whole
 * answer, body included (axios' own http adapter arms a socket idle timer, which a server
 * trickling its body keeps resetting).
 *
 * Why: measured on loopback with keep-alive sockets, a PUT cost about 460 µs of CPU through
 * axios and its own http adapter (stream plumbing, redirect and decompression set-up), 180 µs
 * through `node:http` alone, and 250 µs through axios with this adapter; the whole transport
 * went from about 520 to 300 µs. A full sync sends one PUT per activity, on the one event loop
 * the jobs also plan and record on, so that CPU held the sweep under what CMG_MAX_CONCURRENCY
 * allows (`npm run bench -- cmg` and `e2e`). axios still builds every request, merges the
 * configuration and raises AxiosError, so the transport's error handling is unchanged.
 */
import http from 'node:http';
import https from 'node:https';
import { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

export const leanHttpAdapter: AxiosAdapter = (config) =>
  new Promise<AxiosResponse<string>>((resolve, reject) => {
    const url = new URL(config.url ?? '');
    const secure = url.protocol === 'https:';
    const data = typeof config.data === 'string' ? config.data : undefined;
    const headers: http.OutgoingHttpHeaders = AxiosHeaders.from(config.headers).toJSON();
    if (data !== undefined) headers['Content-Length'] = Buffer.byteLength(data);

    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(deadline);
      return true;
    };
    const fail = (error: Error): void => {
      if (!settle()) return;
      request.destroy();
      reject(error);
    };

    const request = (secure ? https : http).request(url, {
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      agent: (secure ? config.httpsAgent : config.httpAgent) as http.Agent | undefined,
    });
    const deadline = config.timeout
      ? setTimeout(() => {
          const code = config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED;
          fail(new AxiosError(`no complete answer within ${config.timeout} ms`, code, config, request));
        }, config.timeout)
      : undefined;
    request.on('error', (error: NodeJS.ErrnoException) => fail(AxiosError.from(error, error.code, config, request)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (config.maxContentLength !== undefined && config.maxContentLength > -1 && size > config.maxContentLength) {
          fail(new AxiosError(`maxContentLength size of ${config.maxContentLength} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, request));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', (error: NodeJS.ErrnoException) => fail(AxiosError.from(error, error.code, config, request)));
      response.on('end', () => {
        if (!settle()) return;
        const answer: AxiosResponse<string> = {
          data: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8'),
          status: response.statusCode ?? 0,
          statusText: response.statusMessage ?? '',
          headers: AxiosHeaders.from(response.headers as Record<string, string>),
          config: config as InternalAxiosRequestConfig,
          request,
        };
        const valid = config.validateStatus ? config.validateStatus(answer.status) : answer.status >= 200 && answer.status < 300;
        if (valid) resolve(answer);
        else reject(new AxiosError(`Request failed with status code ${answer.status}`, AxiosError.ERR_BAD_RESPONSE, config, request, answer));
      });
    });
    request.end(data);
  });
