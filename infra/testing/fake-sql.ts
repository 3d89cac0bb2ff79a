/**
 * Runs SQL for the fake D1 and Supabase query endpoints on a real (in-memory) SQLite database,
 * so migrations in tests actually create tables and the tracking rows are real.
 */
import { DatabaseSync } from 'node:sqlite'

export type Row = Record<string, unknown>

/**
 * Executes `sql`; a lone SELECT returns its rows (what the providers read), anything else
 * returns none. On an error an open transaction is rolled back, as a server ends the session.
 */
export function runSql(db: DatabaseSync, sql: string): Row[] {
  const single = sql.trim().replace(/;\s*$/, '')
  try {
    if (/^select\b/i.test(single) && !single.includes(';')) return db.prepare(single).all() as Row[]
    db.exec(sql)
    return []
  } catch (error) {
    try {
      db.exec('ROLLBACK')
    } catch {
      // No transaction was open.
    }
    throw error
  }
}

export function tableNames(db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Row[]).map((r) => String(r['name']))
}

export { DatabaseSync }
