/**
 * Cloudflare's v4 API envelope (`{ success, errors, result }`) for the dynamic providers and the
 * program's few direct reads. Serialised with the providers: globals and ./http.ts only.
 */
import { apiError, describeApiError, requestJson, tokenFromEnv, type ApiClientOptions } from './http.ts'

export const cloudflareApiDefaults: ApiClientOptions = {
  apiBaseUrl: 'https://api.cloudflare.com/client/v4',
  retries: 3,
  retryDelayMs: 1000,
  timeoutMs: 60_000,
}

export interface CloudflareResult {
  status: number
  /** `result` from the envelope; undefined on a 404. */
  result: unknown
  /** The envelope's `errors` (code + message): what callers match on, never the HTTP status alone. */
  errors: { code: number; message: string }[]
}

function errorsOf(body: unknown): { code: number; message: string }[] {
  const list = ((body ?? {}) as Record<string, unknown>)['errors']
  if (!Array.isArray(list)) return []
  return list.map((e: unknown) => {
    const item = (e ?? {}) as Record<string, unknown>
    return { code: Number(item['code']), message: String(item['message'] ?? '') }
  })
}

/**
 * Calls the API with CLOUDFLARE_API_TOKEN (the variable the Cloudflare Pulumi provider reads too).
 * A 404, or a status in `allowStatuses`, is returned with its `errors`; any other failure throws an
 * ApiError with Cloudflare's message.
 */
export async function cloudflareCall(
  options: ApiClientOptions,
  method: string,
  path: string,
  body?: unknown,
  allowStatuses: readonly number[] = [],
): Promise<CloudflareResult> {
  const token = tokenFromEnv('CLOUDFLARE_API_TOKEN', 'a Cloudflare API token with the scopes listed in infra/README.md')
  const response = await requestJson(options, token, method, path, body)
  const errors = errorsOf(response.body)
  if (response.status === 404) return { status: 404, result: undefined, errors }
  const envelope = (response.body ?? {}) as Record<string, unknown>
  const failed = response.status >= 400 || envelope['success'] === false
  if (failed && !allowStatuses.includes(response.status))
    throw apiError(`Cloudflare API ${method} ${path}: ${response.status} ${describeApiError(response.body)}`, response.status)
  return { status: response.status, result: envelope['result'], errors }
}

/** Cloudflare's code for "this account has no workers.dev subdomain" (what wrangler matches on too). */
export const NO_WORKERS_SUBDOMAIN = 10007

/**
 * The account's workers.dev subdomain (`GET /accounts/{id}/workers/subdomain` → `{ subdomain }`), or
 * undefined when it has none yet: a Worker can then not be served on workers.dev.
 */
export async function workersDevSubdomain(options: ApiClientOptions, accountId: string): Promise<string | undefined> {
  const found = await cloudflareCall(options, 'GET', `/accounts/${accountId}/workers/subdomain`, undefined, [400])
  if (found.errors.some((e) => e.code === NO_WORKERS_SUBDOMAIN)) return undefined
  if (found.status >= 400)
    throw apiError(`Cloudflare API GET /accounts/${accountId}/workers/subdomain: ${found.status} ${found.errors.map((e) => `[${e.code}] ${e.message}`).join('; ')}`, found.status)
  const subdomain = ((found.result ?? {}) as Record<string, unknown>)['subdomain']
  return typeof subdomain === 'string' && subdomain !== '' ? subdomain : undefined
}

/**
 * The migration tag of a deployed Worker's Durable Objects (undefined before the first deploy),
 * so infra uploads only the wrangler.jsonc migrations that are still pending, as wrangler does.
 */
export async function durableObjectMigrationTag(
  options: ApiClientOptions,
  accountId: string,
  scriptName: string,
): Promise<string | undefined> {
  const { result } = await cloudflareCall(options, 'GET', `/accounts/${accountId}/workers/scripts`)
  if (!Array.isArray(result)) return undefined
  for (const script of result as unknown[]) {
    const s = (script ?? {}) as Record<string, unknown>
    if (s['id'] === scriptName) return typeof s['migration_tag'] === 'string' ? s['migration_tag'] : undefined
  }
  return undefined
}
