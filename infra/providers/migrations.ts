/**
 * Applying SQL migration files in order, once each, recorded in a tracking table: the logic the
 * D1 and Supabase migration providers share. Serialised with them, so it imports nothing.
 */

export interface MigrationFile {
  /** File name, e.g. `0001_usage_events.sql`; the order is the name order. */
  name: string
  sha256: string
  sql: string
}

export interface AppliedMigration {
  name: string
  /** Known when the tracking table or Pulumi's state recorded it. */
  sha256: string | undefined
}

/** Where migrations run: a tracking table plus a way to run one file and record it atomically. */
export interface MigrationTarget {
  ensureTrackingTable(): Promise<void>
  listApplied(): Promise<AppliedMigration[]>
  apply(migration: MigrationFile): Promise<void>
}

export type MigrationPlan = { ok: true; pending: MigrationFile[] } | { ok: false; reason: string }

/**
 * The files still to apply. A file that changed after it was applied is refused: migrations are
 * append-only (write a new file instead), and silently skipping the edit would leave the schema
 * different from what the repository says.
 */
export function planMigrations(
  wanted: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
  recorded: readonly AppliedMigration[] = [],
): MigrationPlan {
  const names = wanted.map((m) => m.name)
  const sorted = [...names].sort()
  if (names.some((n, i) => n !== sorted[i])) return { ok: false, reason: `migrations must be in name order: ${names.join(', ')}` }
  if (new Set(names).size !== names.length) return { ok: false, reason: `a migration name repeats: ${names.join(', ')}` }
  const known = new Map<string, string | undefined>()
  for (const r of recorded) known.set(r.name, r.sha256)
  for (const a of applied) if (a.sha256 !== undefined || !known.has(a.name)) known.set(a.name, a.sha256)
  const appliedNames = new Set(applied.map((a) => a.name))
  for (const m of wanted) {
    const sha = known.get(m.name)
    if (appliedNames.has(m.name) && sha !== undefined && sha !== m.sha256)
      return { ok: false, reason: `${m.name} changed after it was applied; add a new migration file instead of editing it` }
  }
  return { ok: true, pending: wanted.filter((m) => !appliedNames.has(m.name)) }
}

/** Applies what is pending, in order; returns everything now applied (name + hash). */
export async function runMigrations(
  target: MigrationTarget,
  wanted: readonly MigrationFile[],
  recorded: readonly AppliedMigration[] = [],
): Promise<AppliedMigration[]> {
  await target.ensureTrackingTable()
  const applied = await target.listApplied()
  const plan = planMigrations(wanted, applied, recorded)
  if (!plan.ok) throw new Error(plan.reason)
  for (const m of plan.pending) {
    try {
      await target.apply(m)
    } catch (error) {
      throw new Error(`migration ${m.name} failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  const hashes = new Map(wanted.map((m) => [m.name, m.sha256]))
  return (await target.listApplied()).map((a) => ({ name: a.name, sha256: a.sha256 ?? hashes.get(a.name) }))
}

/** A SQL string literal ('' doubles a quote). Names and hashes only, never user data. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** Ends a file's SQL so a statement can follow, even when its last line is a `--` comment. */
export function terminated(sql: string): string {
  const body = sql.trimEnd()
  return body.endsWith(';') ? `${body}\n` : `${body}\n;\n`
}

/** Inputs of the migration resources: diff on names and hashes, not on the SQL text. */
export function migrationsKey(list: readonly { name: string; sha256: string | undefined }[]): string {
  return list.map((m) => `${m.name}@${m.sha256 ?? '?'}`).join(',')
}
