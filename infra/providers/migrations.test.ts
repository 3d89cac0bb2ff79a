import { describe, expect, test } from 'vitest'
import { planMigrations, sqlString, terminated, type MigrationFile } from './migrations.ts'

const file = (name: string, sha256 = `sha-${name}`): MigrationFile => ({ name, sha256, sql: `-- ${name}` })

describe('planMigrations', () => {
  test('pending files are the unapplied ones, in name order', () => {
    const plan = planMigrations([file('0001_a.sql'), file('0002_b.sql'), file('0003_c.sql')], [{ name: '0001_a.sql', sha256: undefined }])
    expect(plan).toEqual({ ok: true, pending: [file('0002_b.sql'), file('0003_c.sql')] })
  })

  test('nothing is pending when everything is applied', () => {
    const applied = [{ name: '0001_a.sql', sha256: 'sha-0001_a.sql' }]
    expect(planMigrations([file('0001_a.sql')], applied)).toEqual({ ok: true, pending: [] })
  })

  test('a file edited after it was applied is refused (hash from the tracking table)', () => {
    const plan = planMigrations([file('0001_a.sql', 'new')], [{ name: '0001_a.sql', sha256: 'old' }])
    expect(plan).toEqual({ ok: false, reason: '0001_a.sql changed after it was applied; add a new migration file instead of editing it' })
  })

  test('a file edited after it was applied is refused (hash from Pulumi state when the table has none)', () => {
    const plan = planMigrations([file('0001_a.sql', 'new')], [{ name: '0001_a.sql', sha256: undefined }], [{ name: '0001_a.sql', sha256: 'old' }])
    expect(plan.ok).toBe(false)
  })

  test('files out of name order or repeated are refused', () => {
    expect(planMigrations([file('0002_b.sql'), file('0001_a.sql')], []).ok).toBe(false)
    expect(planMigrations([file('0001_a.sql'), file('0001_a.sql')], []).ok).toBe(false)
  })
})

describe('SQL helpers', () => {
  test('sqlString doubles quotes', () => {
    expect(sqlString("it's")).toBe("'it''s'")
  })

  test('terminated ends a trailing comment line before the next statement', () => {
    expect(terminated('CREATE TABLE t (a int)\n-- done\n')).toBe('CREATE TABLE t (a int)\n-- done\n;\n')
    expect(terminated('CREATE TABLE t (a int);  \n')).toBe('CREATE TABLE t (a int);\n')
  })
})
