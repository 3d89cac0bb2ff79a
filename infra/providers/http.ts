/**
 * The HTTP client the dynamic providers share. Pulumi serialises each provider's code into the
 * state file and runs it in a separate process, so this module imports nothing and uses only
 * globals (`fetch`, `AbortSignal`, `setTimeout`): a captured import would have to be serialised too.
 * Tokens come from the environment at call time, so they never land in state.
 */

export interface ApiClientOptions {
  /** Base URL of the API, e.g. `https://api.cloudflare.com/client/v4`; injectable for tests and proxies. */
  apiBaseUrl: string
  /** Extra attempts after a network error, a 429 or a 5xx. */
  retries: number
  /** First retry delay; doubles on each attempt. */
  retryDelayMs: number
  /** Per-request timeout. */
  timeoutMs: number
}

export interface ApiResponse {
  status: number
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown
}

/**
 * An Error carrying the HTTP status. A plain Error, not a subclass: Pulumi's closure serialiser
 * rebuilds classes in ES5 style, and a rebuilt `extends Error` loses its message.
 */
export type ApiError = Error & { status: number }

export function apiError(message: string, status: number): ApiError {
  return Object.assign(new Error(message), { status })
}

/** Reads a token from the environment; the message says which variable to set. */
export function tokenFromEnv(variable: string, purpose: string): string {
  const token = process.env[variable]
  if (!token) throw new Error(`${variable} is not set: export it (${purpose}) before running pulumi`)
  return token
}

/**
 * One JSON request with bounded retries on transient failures. Never throws on a 4xx: the
 * caller decides what a 404 or a 409 means for its resource.
 */
export async function requestJson(
  options: ApiClientOptions,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const url = `${options.apiBaseUrl.replace(/\/+$/, '')}${path}`
  let lastError = ''
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs * 2 ** (attempt - 1)))
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      })
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error)
      continue
    }
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      // Not JSON (a proxy's HTML error page, say): keep the text for the error message.
    }
    if (response.status === 429 || response.status >= 500) {
      lastError = `${response.status} ${describeApiError(parsed)}`
      continue
    }
    return { status: response.status, body: parsed }
  }
  throw apiError(`${method} ${path} failed after ${options.retries + 1} attempts: ${lastError}`, 0)
}

/** The human part of an error body: Cloudflare's `errors[]`, Supabase's `message`, or the text. */
export function describeApiError(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300)
  if (body !== null && typeof body === 'object') {
    const record = body as Record<string, unknown>
    if (Array.isArray(record['errors']) && record['errors'].length > 0)
      return record['errors']
        .map((e: unknown) => {
          const item = (e ?? {}) as Record<string, unknown>
          return item['code'] === undefined ? String(item['message']) : `[${String(item['code'])}] ${String(item['message'])}`
        })
        .join('; ')
    if (typeof record['message'] === 'string') return record['message']
    if (typeof record['error'] === 'string') return record['error']
  }
  return 'no error message'
}
