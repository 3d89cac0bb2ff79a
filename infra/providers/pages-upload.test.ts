/**
 * The Pages upload provider as Pulumi runs it (through the closure serialiser), with a recorder in
 * place of wrangler: what it runs, from where, with which account, and that only a new hash uploads.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../lib/paths.ts'
import { throughSerialization } from '../testing/serialized.ts'
import { PagesUploadProvider, type PagesUploadInputs, type PagesUploadOutputs } from './pages-upload.ts'

// Inside the project (relative paths are the point), under the ignored .tmp/.
const work = `.tmp/pages-upload-test-${process.pid}`
const calls = join(repoRoot, work, 'calls.jsonl')
let provider: PagesUploadProvider

const inputs = (over: Partial<PagesUploadInputs> = {}): PagesUploadInputs => ({
  accountId: '0123456789abcdef0123456789abcdef',
  projectName: 'watchllm-dev-admin',
  branch: 'main',
  directory: `${work}/site`,
  sha256: 'a'.repeat(64),
  ...over,
})

beforeAll(async () => {
  await mkdir(join(repoRoot, work, 'site'), { recursive: true })
  await writeFile(join(repoRoot, work, 'site', 'index.html'), '<h1>admin</h1>')
  // Stands in for wrangler: records its argv, cwd and account, prints a deployment URL like wrangler does.
  await writeFile(
    join(repoRoot, work, 'fake-wrangler.mjs'),
    `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(calls)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), account: process.env.CLOUDFLARE_ACCOUNT_ID }) + '\\n')\nconsole.log('✨ Deployment complete! Take a peek over at https://0a1b2c3d.watchllm-dev-admin.pages.dev')\n`,
  )
  provider = (await throughSerialization(new PagesUploadProvider({ wranglerScript: `${work}/fake-wrangler.mjs`, timeoutMs: 30_000 }))).provider
})
afterAll(() => rm(join(repoRoot, work), { recursive: true, force: true }))

const recorded = async (): Promise<{ argv: string[]; cwd: string; account: string }[]> =>
  (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l))

describe('PagesUploadProvider (serialised)', () => {
  test('uploads the directory with wrangler pages deploy, from the project root, for the stack’s account', async () => {
    const created = await provider.create(inputs())
    expect(created.id).toBe('watchllm-dev-admin/main')
    expect(created.outs).toMatchObject({ ...inputs(), deploymentUrl: 'https://0a1b2c3d.watchllm-dev-admin.pages.dev' })
    const [call] = await recorded()
    expect(call?.argv).toEqual(['pages', 'deploy', join(repoRoot, work, 'site'), '--project-name', 'watchllm-dev-admin', '--branch', 'main', '--commit-dirty=true'])
    expect(call?.cwd).toBe(repoRoot)
    expect(call?.account).toBe('0123456789abcdef0123456789abcdef')
  })

  test('uploads again only when the content hash (or where it goes) changes', async () => {
    const olds = (await provider.create(inputs())).outs as PagesUploadOutputs
    expect(await provider.diff('watchllm-dev-admin/main', olds, inputs())).toMatchObject({ changes: false, replaces: [] })
    expect(await provider.diff('watchllm-dev-admin/main', olds, inputs({ sha256: 'b'.repeat(64) }))).toMatchObject({ changes: true, replaces: [] })
    expect(await provider.diff('watchllm-dev-admin/main', olds, inputs({ projectName: 'other-admin' }))).toMatchObject({ changes: true, replaces: ['projectName'] })
  })

  test('refuses absolute or escaping paths: state must not depend on the machine', async () => {
    for (const directory of ['/home/ci/repo/admin/dist', '../elsewhere/dist', 'C:\\repo\\admin\\dist']) {
      const { failures } = await provider.check(inputs(), inputs({ directory }))
      expect((failures ?? []).map((f) => f.property), directory).toEqual(['directory'])
    }
  })

  test('a missing build is a clear error, not a wrangler stack trace', async () => {
    await expect(provider.create(inputs({ directory: `${work}/nothing-here` }))).rejects.toThrow(/does not exist: build the admin site first/)
  })
})
