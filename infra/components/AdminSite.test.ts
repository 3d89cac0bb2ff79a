import { describe, expect, test } from 'vitest'
import { buildUnderMocks, secretness } from '../testing/component.ts'
import { AdminSite, type AdminSiteArgs } from './AdminSite.ts'

const args = (over: Partial<AdminSiteArgs> = {}): AdminSiteArgs => ({
  accountId: 'acc',
  projectName: 'watchllm-dev-admin',
  distDir: '/repo/admin dist',
  distHash: 'hash-1',
  wrangler: ['/opt/node22/bin/node', '/repo/node_modules/wrangler/bin/wrangler.js'],
  compatibilityDate: '2026-11-01',
  gatewayUrl: 'https://llm.example.com',
  gatewayScriptName: 'watchllm-dev-gateway',
  adminToken: 'plain-admin-token',
  accessEmails: ['a@example.com', 'b@example.com'],
  ...over,
})

describe('AdminSite', () => {
  test('uploads the build with this Node and the repo’s wrangler, keyed on the build hash', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    const deploy = built.propsOf('command:local:Command')
    expect((await secretness(deploy['create'])).value).toBe(
      '"/opt/node22/bin/node" "/repo/node_modules/wrangler/bin/wrangler.js" pages deploy "/repo/admin dist" --project-name watchllm-dev-admin --branch main --commit-dirty=true',
    )
    expect(deploy['triggers']).toEqual(['hash-1'])
    expect(deploy['environment']).toEqual({ CLOUDFLARE_ACCOUNT_ID: 'acc', WRANGLER_SEND_METRICS: 'false' })
  })

  test('the admin token reaches the Pages project only as a secret', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    const production = (built.propsOf('cloudflare:index/pagesProject:PagesProject')['deploymentConfigs'] as { production: { envVars: Record<string, { value: unknown }> } }).production
    expect(await secretness(production.envVars['ADMIN_TOKEN']?.value)).toEqual({ value: 'plain-admin-token', secret: true })
    expect(await secretness(production.envVars['GATEWAY_URL']?.value)).toEqual({ value: 'https://llm.example.com', secret: false })
  })

  test('Access lets in exactly the listed emails, on the site and its preview subdomains', async () => {
    const built = await buildUnderMocks((opts) => new AdminSite('admin', args(), opts))
    expect(built.resources.find((r) => r.type === 'cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy')?.inputs).toMatchObject({
      decision: 'allow',
      includes: [{ email: { email: 'a@example.com' } }, { email: { email: 'b@example.com' } }],
    })
    expect(built.resources.find((r) => r.type === 'cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication')?.inputs).toMatchObject({
      destinations: [
        { type: 'public', uri: 'watchllm-dev-admin.pages.dev' },
        { type: 'public', uri: '*.watchllm-dev-admin.pages.dev' },
      ],
    })
  })

  test('without any email the site would be public: refused', async () => {
    await expect(buildUnderMocks((opts) => new AdminSite('admin', args({ accessEmails: [] }), opts))).rejects.toThrow(/at least one email/)
  })
})
