/**
 * Supabase's Management API (`https://api.supabase.com/v1`) for the Supabase dynamic providers.
 * Serialised with them: globals and ./http.ts only. The token comes from SUPABASE_ACCESS_TOKEN.
 */
import { apiError, describeApiError, requestJson, tokenFromEnv, type ApiClientOptions } from './http.ts'

export interface SupabaseApiOptions extends ApiClientOptions {
  /** How often to poll a new project until it is ACTIVE_HEALTHY. */
  pollIntervalMs: number
  /** Give up waiting for a new project after this long. */
  readyTimeoutMs: number
  /** Give up waiting for the pooler to know a new project after this long (it lags ACTIVE_HEALTHY). */
  poolerTimeoutMs?: number
  /** Supavisor's session-mode port (Hyperdrive's origin); tests point it at a fake pooler. */
  poolerSessionPort?: number
}

export const supabaseApiDefaults: SupabaseApiOptions = {
  apiBaseUrl: 'https://api.supabase.com',
  retries: 3,
  retryDelayMs: 1000,
  timeoutMs: 60_000,
  pollIntervalMs: 5000,
  readyTimeoutMs: 15 * 60_000,
  poolerTimeoutMs: 10 * 60_000,
  poolerSessionPort: 5432,
}

export interface SupabaseResult {
  status: number
  /** The parsed body; undefined on a 404. */
  body: unknown
}

/** One call; a 404 is returned, any other non-2xx throws with Supabase's message. */
export async function supabaseCall(
  options: ApiClientOptions,
  method: string,
  path: string,
  body?: unknown,
  allowStatuses: readonly number[] = [],
): Promise<SupabaseResult> {
  const token = tokenFromEnv('SUPABASE_ACCESS_TOKEN', 'a Supabase personal access token, see infra/README.md')
  const response = await requestJson(options, token, method, path, body)
  if (response.status === 404) return { status: 404, body: undefined }
  if (response.status >= 400 && !allowStatuses.includes(response.status))
    throw apiError(`Supabase API ${method} ${path}: ${response.status} ${describeApiError(response.body)}`, response.status)
  return response
}

/** Runs SQL through the Management API's query endpoint; returns the rows of the last statement. */
export async function supabaseQuery(options: ApiClientOptions, ref: string, query: string): Promise<Record<string, unknown>[]> {
  const { status, body } = await supabaseCall(options, 'POST', `/v1/projects/${ref}/database/query`, { query })
  if (status === 404) throw apiError(`Supabase project ${ref} not found`, 404)
  return Array.isArray(body) ? (body as Record<string, unknown>[]) : []
}
