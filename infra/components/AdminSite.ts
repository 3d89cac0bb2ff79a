/**
 * The read-only admin site: a Pages project, the built `admin/` uploaded with wrangler (there is
 * no Pages deployment resource; the upload re-runs when the build's hash changes), and a
 * Cloudflare Access application that lets only the listed emails in.
 */
import * as cloudflare from '@pulumi/cloudflare'
import * as command from '@pulumi/command'
import * as pulumi from '@pulumi/pulumi'

export interface AdminSiteArgs {
  /** Cloudflare account id. */
  accountId: pulumi.Input<string>
  /** Pages project name, e.g. `watchllm-dev-admin` (its pages.dev subdomain may get a suffix). */
  projectName: pulumi.Input<string>
  /** Absolute path of the built site (`admin/dist`). */
  distDir: string
  /** SHA-256 of the built files: a new hash re-runs the upload. */
  distHash: string
  /** `[node, wrangler.js]`: the upload runs with this Node and the repo's wrangler, not whatever is on PATH. */
  wrangler: [string, string]
  /** Compatibility date for the site's on-demand routes (the worker's, so both see the same runtime). */
  compatibilityDate: pulumi.Input<string>
  /** The gateway's public URL (env var GATEWAY_URL of the admin proxy). */
  gatewayUrl: pulumi.Input<string>
  /** The gateway Worker's name: bound to the site as the service binding GATEWAY. */
  gatewayScriptName: pulumi.Input<string>
  /** Plain admin token the proxy presents to the gateway's admin API (secret env var ADMIN_TOKEN). */
  adminToken: pulumi.Input<string>
  /** Emails Cloudflare Access lets in (one-time PIN or your identity provider). */
  accessEmails: pulumi.Input<string>[]
}

const quote = (s: string): string => `"${s.replaceAll('"', '\\"')}"`

export class AdminSite extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>
  readonly projectName: pulumi.Output<string>
  readonly accessApplicationId: pulumi.Output<string>

  constructor(name: string, args: AdminSiteArgs, opts?: pulumi.ComponentResourceOptions) {
    super('watchllm:admin:AdminSite', name, {}, opts)
    if (args.accessEmails.length === 0) throw new Error('the admin site needs at least one email for Cloudflare Access')

    // The Pages project with the proxy's runtime settings: gateway URL, service binding, admin token.
    const project = new cloudflare.PagesProject(
      `${name}-project`,
      {
        accountId: args.accountId,
        name: args.projectName,
        productionBranch: 'main',
        deploymentConfigs: {
          production: {
            compatibilityDate: args.compatibilityDate,
            compatibilityFlags: ['nodejs_compat'],
            envVars: {
              GATEWAY_URL: { type: 'plain_text', value: args.gatewayUrl },
              ADMIN_TOKEN: { type: 'secret_text', value: pulumi.secret(args.adminToken) },
            },
            services: { GATEWAY: { service: args.gatewayScriptName } },
          },
        },
      },
      { parent: this },
    )

    // The upload: `wrangler pages deploy`, re-run (replaced) whenever the build's hash changes.
    const [node, wrangler] = args.wrangler
    new command.local.Command(
      `${name}-deploy`,
      {
        create: pulumi.interpolate`${quote(node)} ${quote(wrangler)} pages deploy ${quote(args.distDir)} --project-name ${project.name} --branch main --commit-dirty=true`,
        environment: { CLOUDFLARE_ACCOUNT_ID: args.accountId, WRANGLER_SEND_METRICS: 'false' },
        triggers: [args.distHash],
      },
      { parent: this, dependsOn: [project] },
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
        policies: [{ id: policy.id, precedence: 1 }],
      },
      { parent: this },
    )

    this.url = pulumi.interpolate`https://${project.subdomain}`
    this.projectName = project.name
    this.accessApplicationId = app.id
    this.registerOutputs({ url: this.url, projectName: this.projectName, accessApplicationId: this.accessApplicationId })
  }
}
