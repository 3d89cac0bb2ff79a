/**
 * The one place the admin site fetches: the gateway's admin API through this site's same-origin
 * proxy (`/api/*` → `<gateway>/admin/api/*`, see pages/api/[...path].ts), so the browser holds no
 * token and needs no CORS. Response types come from the gateway itself (type-only import).
 */
import type {
  BudgetsResponse,
  CacheResponse,
  CostsResponse,
  ErrorResponse,
  ExperimentsResponse,
  GuardrailsResponse,
  OverviewResponse,
  PolicyResponse,
  RequestDetail,
  RequestsResponse,
  TimeseriesResponse,
} from '../../../worker/src/admin-api/responses.ts'

export type {
  BudgetsResponse,
  CacheResponse,
  CostsResponse,
  ExperimentsResponse,
  GuardrailsResponse,
  OverviewResponse,
  PolicyResponse,
  RequestDetail,
  RequestsResponse,
  TimeseriesResponse,
}
export type { RequestSummary, TimeseriesPoint } from '../../../worker/src/admin-api/responses.ts'
import type { SemanticVerificationResponse } from '../../../worker/src/admin-api/semantic-verification.ts'
export type { SemanticScope, SemanticVerificationResponse } from '../../../worker/src/admin-api/semantic-verification.ts'
import type { AuditResponse } from '../../../worker/src/admin-api/audit-types.ts'
export type { AuditResponse }

/** A failed call, with what the gateway said (or why it could not be asked). */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number

  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export interface Filters {
  from: number
  to: number
  project?: string
  key?: string
  model?: string
  provider?: string
  cache?: string
  status?: string
  cursor?: string
  limit?: number
  step?: string
}

const TIMEOUT_MS = 15_000

async function get<T>(path: string, filters?: Partial<Filters>): Promise<T> {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(filters ?? {}))
    if (value !== undefined && value !== '' && value !== null) query.set(key, String(value))
  const url = `/api/${path}${query.size > 0 ? `?${query}` : ''}`
  let res: Response
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (e) {
    throw new ApiError(0, e instanceof DOMException && e.name === 'TimeoutError' ? 'The gateway did not answer in time.' : 'The admin site could not be reached.')
  }
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new ApiError(res.status, `Unexpected answer from the gateway (HTTP ${res.status}).`)
  }
  if (!res.ok) throw new ApiError(res.status, (body as ErrorResponse).error?.message ?? `HTTP ${res.status}`)
  return body as T
}

export const api = {
  overview: (f: Filters) => get<OverviewResponse>('overview', f),
  timeseries: (f: Filters) => get<TimeseriesResponse>('timeseries', f),
  requests: (f: Filters) => get<RequestsResponse>('requests', f),
  request: (id: string) => get<RequestDetail>(`requests/${encodeURIComponent(id)}`),
  cache: (f: Filters) => get<CacheResponse>('cache', f),
  cacheSemantic: (f: Filters) => get<SemanticVerificationResponse>('cache/semantic', f),
  costs: (f: Filters) => get<CostsResponse>('costs', f),
  experiments: (f: Filters) => get<ExperimentsResponse>('experiments', f),
  budgets: (f: Filters) => get<BudgetsResponse>('budgets', f),
  guardrails: (f: Filters) => get<GuardrailsResponse>('guardrails', f),
  policy: () => get<PolicyResponse>('policy'),
  audit: (f: Filters) => get<AuditResponse>('audit', { from: f.from, to: f.to, limit: f.limit, cursor: f.cursor }),
}
