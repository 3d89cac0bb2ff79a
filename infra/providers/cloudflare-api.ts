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
}

/**
 * Calls the API with CLOUDFLARE_API_TOKEN (the variable the Cloudflare Pulumi provider reads too).
 * A 404 returns `{ status: 404 }`; any other failure throws an ApiError with Cloudflare's message.
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
  if (response.status === 404) return { status: 404, result: undefined }
  const envelope = (response.body ?? {}) as Record<string, unknown>
  const failed = response.status >= 400 || envelope['success'] === false
  if (failed && !allowStatuses.includes(response.status))
    throw apiError(`Cloudflare API ${method} ${path}: ${response.status} ${describeApiError(response.body)}`, response.status)
  return { status: response.status, result: envelope['result'] }
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
