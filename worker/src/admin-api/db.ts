/**
 * Small typed helpers over D1 for the admin API's read queries (bound parameters only). A D1 that
 * cannot answer is a 503 the caller can retry, never a 500.
 */
import { GatewayError } from '../errors.ts'

const unavailable = (e: unknown) =>
  new GatewayError(503, 'storage_unavailable', 'The usage store (D1) could not be read just now; try again shortly.', null, e)

export async function all<T>(db: D1Database, sql: string, params: readonly (string | number | null)[]): Promise<T[]> {
  try {
    return (await db.prepare(sql).bind(...params).all<T>()).results
  } catch (e) {
    throw unavailable(e)
  }
}

export async function first<T>(db: D1Database, sql: string, params: readonly (string | number | null)[]): Promise<T | undefined> {
  try {
    return (await db.prepare(sql).bind(...params).first<T>()) ?? undefined
  } catch (e) {
    throw unavailable(e)
  }
}

/** SUM() over no rows is NULL in SQL; the API says 0. */
export const num = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

/** Hits over cacheable lookups (hits + misses); null when nothing was looked up. */
export const hitRate = (hits: number, misses: number): number | null => (hits + misses > 0 ? hits / (hits + misses) : null)

/** Money sums accumulate float noise; the API rounds to 1e-10 USD. */
export const usd = (value: number | null | undefined): number => Math.round(num(value) * 1e10) / 1e10
