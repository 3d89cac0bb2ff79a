/**
 * Reads a migrations directory (`worker/migrations/d1`, `worker/migrations/postgres`): every
 * `*.sql` file, in name order, with its SHA-256 so an edit to an applied file is caught.
 */
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { MigrationFile } from '../providers/migrations.ts'

export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort()
  } catch (error) {
    // No directory yet means no migrations yet (the worker may not have a schema so far).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8')
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') }
    }),
  )
}
