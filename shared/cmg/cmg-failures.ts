/**
 * CMG's error table (CMG-INTERFACE.md "Errors") as decisions: which AppError a failed answer
 * becomes and whether it is worth another attempt. Messages name the operation and the path,
 * never a header, and pass through `redactText` in case CMG echoes something it should not.
 */
import { configurationError, permanentError, transientError, type AppError } from '../errors/app-error.js';
import { parseRetryAfter } from '../errors/retry-after.js';
import { redactText } from '../observability/logger.js';
import { cmgErrorBodySchema } from './cmg-schemas.js';

export type CmgOperation = 'check' | 'codes' | 'calendarSettings' | 'upsertActivity' | 'deleteActivity' | 'listActivities';

export interface CmgFailure {
  readonly error: AppError;
  /** `backoff`: transient, retried up to maxRetries; `once`: conflict, retried a single time; `never`. */
  readonly retry: 'backoff' | 'once' | 'never';
}

/** The `error.code` of a CMG error body, when the body is one. */
export function cmgErrorCode(body: string): string | undefined {
  return errorBody(body)?.code;
}

function errorBody(body: string): { code: string; message?: string | undefined } | undefined {
  try {
    const parsed = cmgErrorBodySchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

const said = (body: string): string => {
  const error = errorBody(body);
  if (error === undefined) return '';
  const message = error.message ? `: ${error.message.slice(0, 300)}` : '';
  return ` ${error.code}${message}`;
};

/** A failed answer (any status the operation does not accept). `where` is e.g. `CMG upsertActivity (PUT /users/u1/activities/e1)`. */
export function failureFromStatus(
  where: string,
  status: number,
  body: string,
  header: (name: string) => string | undefined,
  now: number,
): CmgFailure {
  const code = cmgErrorCode(body);
  const text = redactText(`${where} answered ${status}${said(body)}`);
  if (status === 401) {
    return { retry: 'never', error: configurationError(`${text}; check CMG_APPLICATION and CMG_PASSWORD`, 'unauthorized') };
  }
  if (status === 403) {
    return { retry: 'never', error: configurationError(`${text}; the application is not allowed this operation`, 'forbidden') };
  }
  if (status === 404) {
    if (code === 'unknown_user') return { retry: 'never', error: permanentError(text, 'unknown_user') };
    // Any other 404 outside DELETE means the contract is not where CMG_BASE_URL points.
    return { retry: 'never', error: configurationError(`${text}; check the virtual path in CMG_BASE_URL`, 'not_found') };
  }
  if (status === 409) return { retry: 'once', error: transientError(text, 'conflict') };
  if (status === 429 || status === 503) {
    return { retry: 'backoff', error: transientError(text, 'busy', parseRetryAfter(header, now)) };
  }
  if (status >= 500) return { retry: 'backoff', error: transientError(text, 'server_error') };
  if (status >= 300 && status < 400) {
    const location = header('location');
    return { retry: 'never', error: configurationError(redactText(`${where} was redirected to ${location ?? '(no location)'}; set CMG_BASE_URL to the final address`), 'redirect') };
  }
  if (status === 400) return { retry: 'never', error: permanentError(text, code ?? 'bad_request') };
  return { retry: 'never', error: permanentError(text, `http_${status}`) };
}

/**
 * The CMG server's certificate chain does not lead to a trusted root: typically a certificate from
 * the customer's internal CA. Retrying cannot help; the setting that fixes it is named.
 */
export function untrustedCertificate(where: string, tlsCode: string): CmgFailure {
  return {
    retry: 'never',
    error: configurationError(
      redactText(`${where} failed: the CMG server's certificate is not trusted (${tlsCode}); set CMG_CA_CERTIFICATE to the PEM certificate of the CA that issued it`),
      'untrusted_certificate',
    ),
  };
}

/** No answer: timeout, connection reset or refused, DNS. All transient: the network or CMG may recover. */
export function failureFromNetwork(where: string, reason: string, code: 'timeout' | 'network'): CmgFailure {
  return { retry: 'backoff', error: transientError(redactText(`${where} failed: ${reason}`), code) };
}
