/**
 * `npm run build:admin`: builds the admin site's Pages upload (admin/dist: prerendered pages + the
 * `/api` Pages Function) exactly as deploys build it, and prints its hash (a CI artifact can then be
 * deployed as is with `watchllm:build.adminDistDir: admin/dist`).
 */
import { relative } from 'node:path'
import { buildAdminSite, foreignUploadFiles, hashDirectory, listFiles } from '../../infra/lib/admin-build.ts'
import { fromRepo, repoRoot } from '../../infra/lib/paths.ts'
import { readWranglerConfig } from '../../infra/lib/wrangler-config.ts'

const { compatibilityDate } = await readWranglerConfig(fromRepo('worker/wrangler.jsonc'), 'worker/wrangler.jsonc')
const dir = await buildAdminSite({ compatibilityDate })
const files = await listFiles(dir)
const foreign = foreignUploadFiles(files)
if (foreign.length > 0) {
  console.error(`${relative(repoRoot, dir)} holds files Pages must not publish: ${foreign.join(', ')}`)
  process.exit(1)
}
const { sha256 } = await hashDirectory(dir)
console.log(`admin upload ${relative(repoRoot, dir)}: ${files.length} files (${files.filter((f) => f.endsWith('.html')).length} pages, the /api function), sha256 ${sha256}`)
