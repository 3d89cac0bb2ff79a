/**
 * The read-only admin site: a Pages project whose `/api` function reaches the gateway through a
 * service binding to its `AdminApi` entrypoint (no token, no public admin API needed), a Cloudflare
 * Access application that lets only the listed emails in, and the upload of the built directory,
 * which runs only once Access stands in front of the site.
 */
import * as cloudflare from '@pulumi/cloudflare'
import * as pulumi from '@pulumi/pulumi'
import { PagesUpload, PagesUploadProvider, type PagesUploadOptions } from '../providers/pages-upload.ts'

/** The gateway's named entrypoint for the admin site (worker/src/admin-api/entrypoint.ts). */
export const ADMIN_ENTRYPOINT = 'AdminApi'

export interface AdminSiteArgs {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>
  /** Pages project name, e.g. `watchllm-dev-admin` (its pages.dev subdomain may get a suffix). */
  projectName: pulumi.Input<string>
  /** The upload directory relative to the repository root (`admin/dist`): static pages + the function. */
  uploadDir: string
  /** SHA-256 of the upload directory: a new hash uploads a new deployment. */
  uploadHash: string
  /** Compatibility date for the `/api` function (the worker's, so both see the same runtime). */
  compatibilityDate: pulumi.Input<string>
  /** The gateway Worker's name: bound to the site's function as the service binding GATEWAY. */
  gatewayScriptName: pulumi.Input<string>
  /** Emails Cloudflare Access lets in (one-time PIN or your identity provider). */
  accessEmails: pulumi.Input<string>[]
  /** Access service tokens (their ids) let in without a person: automation, `npm run smoke:cloud`. */
  serviceTokenIds?: pulumi.Input<string>[]
  /** Upload settings (tests point them at a recorder instead of wrangler). */
  upload?: PagesUploadOptions
}

export class AdminSite extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>
  readonly projectName: pulumi.Output<string>
  readonly accessApplicationId: pulumi.Output<string>
  /** The Access application's audience tag: what the gateway checks Access assertions against. */
  readonly accessAud: pulumi.Output<string>

  constructor(name: string, args: AdminSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:admin:AdminSite', name, {}, opts)
    if (args.accessEmails.length === 0) throw new Error('the admin site needs at least one email for Cloudflare Access')

    // The Pages project; its function reaches the gateway only through this binding.
    const project = new cloudflare.PagesProject(
      `${name}-project`,
      {
        accountId: args.accountId,
        name: args.projectName,
        productionBranch: 'main',
        deploymentConfigs: {
          production: {
            compatibilityDate: args.compatibilityDate,
            services: { GATEWAY: { service: args.gatewayScriptName, entrypoint: ADMIN_ENTRYPOINT } },
          },
        },
      },
      { parent: this },
    )

    // Who may see the admin: an allow policy for exactly these emails…
    const policy = new cloudflare.ZeroTrustAccessPolicy(
      `${name}-access-policy`,
      {
        accountId: args.accountId,
        name: pulumi.interpolate`${args.projectName} admins`,
        decision: 'allow',
        includes: args.accessEmails.map((email) => ({ email: { email } })),
        sessionDuration: '24h',
      },
      { parent: this },
    )

    // …plus, when asked, service tokens for automation (no identity: `non_identity`).
    const tokens = (args.serviceTokenIds ?? []).length
      ? new cloudflare.ZeroTrustAccessPolicy(
          `${name}-access-tokens`,
          {
            accountId: args.accountId,
            name: pulumi.interpolate`${args.projectName} automation`,
            decision: 'non_identity',
            includes: (args.serviceTokenIds ?? []).map((tokenId) => ({ serviceToken: { tokenId } })),
          },
          { parent: this },
        )
      : undefined

    // …and the Access application in front of the site and its preview subdomains.
    const app = new cloudflare.ZeroTrustAccessApplication(
      `${name}-access`,
      {
        accountId: args.accountId,
        name: pulumi.interpolate`${args.projectName} admin`,
        type: 'self_hosted',
        domain: project.subdomain,
        destinations: [
          { type: 'public', uri: project.subdomain },
          { type: 'public', uri: pulumi.interpolate`*.${project.subdomain}` },
        ],
        sessionDuration: '24h',
        appLauncherVisible: false,
        policies: [{ id: policy.id, precedence: 1 }, ...(tokens ? [{ id: tokens.id, precedence: 2 }] : [])],
      },
      { parent: this },
    )

    // The content goes up last: never is the site served before Access guards it.
    new PagesUpload(
      `${name}-upload`,
      { accountId: args.accountId, projectName: project.name, branch: 'main', directory: args.uploadDir, sha256: args.uploadHash },
      { parent: this, dependsOn: [project, policy, app, ...(tokens ? [tokens] : [])] },
      args.upload ? new PagesUploadProvider(args.upload) : undefined,
    )

    this.url = pulumi.interpolate`https://${project.subdomain}`
    this.projectName = project.name
    this.accessApplicationId = app.id
    this.accessAud = app.aud
    this.registerOutputs({ url: this.url, projectName: this.projectName, accessApplicationId: this.accessApplicationId, accessAud: this.accessAud })
  }
}
