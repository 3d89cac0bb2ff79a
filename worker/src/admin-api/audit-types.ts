/** The shape of `GET /admin/api/audit` (no runtime imports: the admin site imports it as a type). */

export interface AuditEntry {
  id: number
  ts: number
  actor: string
  method: string
  path: string
  query: string
  status: number
  ip: string | null
  user_agent: string | null
}

export interface AuditResponse {
  range: { from: number; to: number }
  entries: AuditEntry[]
  next_cursor: string | null
  refusals: { hour: number; door: string; status: number; count: number }[]
  refused_total: number
}
