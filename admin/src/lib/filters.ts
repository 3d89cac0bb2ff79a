/**
 * The view's time range and project, kept in the URL (shareable, survives reload) with the last
 * range remembered across pages. Pages re-render on `filters:change`.
 */
import type { Filters } from './api.ts'

export const ranges = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const
export type RangeName = keyof typeof ranges

const STORAGE_KEY = 'watchllm.range'
const isRange = (v: string | null): v is RangeName => v !== null && v in ranges

export function rangeName(): RangeName {
  const fromUrl = new URLSearchParams(location.search).get('range')
  if (isRange(fromUrl)) return fromUrl
  const stored = safeStorage()?.getItem(STORAGE_KEY) ?? null
  return isRange(stored) ? stored : '24h'
}

export const project = (): string => new URLSearchParams(location.search).get('project') ?? ''

/** Absolute bounds for "now": the end is the next whole minute, as the rollups are. */
export function currentFilters(extra: Partial<Filters> = {}): Filters {
  const to = Math.ceil((Date.now() + 1) / 60_000) * 60_000
  const p = project()
  return { from: to - ranges[rangeName()], to, ...(p ? { project: p } : {}), ...extra }
}

export function setFilter(name: 'range' | 'project', value: string): void {
  const params = new URLSearchParams(location.search)
  if (value) params.set(name, value)
  else params.delete(name)
  if (name === 'range') safeStorage()?.setItem(STORAGE_KEY, value)
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`)
  window.dispatchEvent(new CustomEvent('filters:change'))
}

/** Internal links keep the current filters. */
export function withFilters(href: string): string {
  const params = new URLSearchParams(location.search)
  params.delete('id')
  const [path, query] = href.split('?')
  const merged = new URLSearchParams(query)
  for (const [k, v] of params) if (!merged.has(k)) merged.set(k, v)
  return `${path}${merged.size ? `?${merged}` : ''}`
}

export function onFiltersChange(render: () => void): void {
  window.addEventListener('filters:change', render)
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage
  } catch {
    return undefined
  }
}
