import { describe, expect, test } from 'vitest'
import { buildUnderMocks } from '../testing/component.ts'
import { AdminSite, type AdminSiteArgs } from './AdminSite.ts'

const args = (over: Partial<AdminSiteArgs> = {}): AdminSiteArgs => ({
  accountId: 'acc',
  projectName: 'watchllm-dev-admin',
  uploadDir: 'admin/dist',
  uploadHash: 'c'.repeat(64),
  compatibilityDate: '2026-11-01',
  gatewayScriptName: 'watchllm-dev-gateway',
  accessEmails: ['a@example.com', 'b@example.com'],
  ...over,
})

const T = {
  pages: 'cloudflare:index/pagesProject:PagesProject',
  upload: 'pulumi-nodejs:dynamic/watchllm:PagesUpload',
  policy: 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy',
  app: 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication',
}

describe('AdminSite', () => {
  test('the /api function reaches the gateway through a service binding to its AdminApi entrypoint, holding no token or URL', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    const project = built.resources.find((r) => r.type === T.pages)?.inputs
    expect(project).toMatchObject({
      name: 'watchllm-dev-admin',
      productionBranch: 'main',
      deploymentConfigs: { production: { compatibilityDate: '2026-11-01', services: { GATEWAY: { service: 'watchllm-dev-gateway', entrypoint: 'AdminApi' } } } },
    })
    expect(JSON.stringify(project)).not.toMatch(/envVars|ADMIN_TOKEN|GATEWAY_URL/)
  })

  test('uploads the built directory by relative path and hash, only after Access guards the site', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    const upload = built.captured.find((c) => c.type === T.upload)
    expect(built.resources.find((r) => r.type === T.upload)?.inputs).toMatchObject({ directory: 'admin/dist', sha256: 'c'.repeat(64), branch: 'main', projectName: 'watchllm-dev-admin' })
    const dependsOn = (upload?.opts.dependsOn ?? []) as { __pulumiType?: string }[]
    const types = dependsOn.map((d) => (d as unknown as { __pulumiType: string }).__pulumiType)
    expect(types.sort()).toEqual([T.pages, T.app, T.policy].sort())
  })

  test('Access lets in exactly the listed emails, on the site and its preview subdomains', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    expect(built.resources.find((r) => r.type === T.policy)?.inputs).toMatchObject({
      decision: 'allow',
      includes: [{ email: { email: 'a@example.com' } }, { email: { email: 'b@example.com' } }],
    })
    expect(built.resources.find((r) => r.type === T.app)?.inputs).toMatchObject({
      destinations: [
        { type: 'public', uri: 'watchllm-dev-admin.pages.dev' },
        { type: 'public', uri: '*.watchllm-dev-admin.pages.dev' },
      ],
    })
  })

  test('service tokens, when listed, get their own non-identity policy on the same application', async () => {
    const id = '6d5e1c6e-3a1f-4a7e-9a55-0c1f0b5f9d3a'
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args({ serviceTokenIds: [id] }), opts))
    const policies = built.resources.filter((r) => r.type === T.policy)
    expect(policies.map((p) => p.inputs['decision']).sort()).toEqual(['allow', 'non_identity'])
    expect(policies.find((p) => p.inputs['decision'] === 'non_identity')?.inputs['includes']).toEqual([{ serviceToken: { tokenId: id } }])
    expect((built.resources.find((r) => r.type === T.app)?.inputs['policies'] as unknown[]).length).toBe(2)
  })

  test('without any email the site would be public: refused', async () => {
    await expect(buildUnderMocks((opts) => new AdminSite('admin', args({ accessEmails: [] }), opts))).rejects.toThrow(/at least one email/)
  })
})
