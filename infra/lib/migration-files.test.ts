import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { tempTree } from '../testing/program.ts'
import { readMigrationFiles } from './migration-files.ts'
import { stackResourceName } from './names.ts'

describe('readMigrationFiles', () => {
  test('only *.sql, in name order, each with its SHA-256', async () => {
    const dir = await tempTree({ '0002_b.sql': 'B', '0001_a.sql': 'A', 'README.md': 'not a migration' })
    const files = await readMigrationFiles(dir)
    expect(files).toEqual([
      { name: '0001_a.sql', sql: 'A', sha256: createHash('sha256').update('A').digest('hex') },
      { name: '0002_b.sql', sql: 'B', sha256: createHash('sha256').update('B').digest('hex') },
    ])
  })

  test('a directory that does not exist yet means no migrations', async () => {
    expect(await readMigrationFiles(join(await tempTree({}), 'postgres'))).toEqual([])
  })
})

describe('stackResourceName', () => {
  test.each([
    ['watchllm', 'watchllm-dev'],
    ['watchllm-events-dlq', 'watchllm-dev-events-dlq'],
    ['other', 'watchllm-dev-other'],
  ])('%s → %s', (name, expected) => {
    expect(stackResourceName('watchllm-dev', name)).toBe(expected)
  })
})
