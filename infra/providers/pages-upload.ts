/**
 * One Pages deployment of a built directory, as a dynamic resource: `wrangler pages deploy` (the
 * direct-upload client Cloudflare maintains), re-run exactly when the directory's content hash
 * changes. Every input is machine-independent (a path relative to the Pulumi project, a hash), so
 * another checkout or a CI runner sees no change; the project root and Node are found where the
 * provider runs. Serialised into state like the other providers, so it imports nothing: Node's own
 * modules come from `process.getBuiltinModule` at call time.
 */
import * as pulumi from '@pulumi/pulumi'

export interface PagesUploadInputs {
  accountId: string
  projectName: string
  branch: string
  /** The upload directory, relative to the Pulumi project root (e.g. `admin/dist`). */
  directory: string
  /** SHA-256 of the directory's files (infra/lib/admin-build.ts `hashDirectory`). */
  sha256: string
}

export interface PagesUploadOutputs extends PagesUploadInputs {
  /** The deployment's own URL, as wrangler printed it (empty when it printed none). */
  deploymentUrl: string
}

export interface PagesUploadOptions {
  /** wrangler's CLI script, relative to the project root; tests substitute a recorder. */
  wranglerScript: string
  timeoutMs: number
}

export const pagesUploadDefaults: PagesUploadOptions = { wranglerScript: 'node_modules/wrangler/bin/wrangler.js', timeoutMs: 600_000 }

export class PagesUploadProvider implements pulumi.dynamic.ResourceProvider<PagesUploadInputs, PagesUploadOutputs> {
  private readonly options: PagesUploadOptions

  constructor(options: PagesUploadOptions = pagesUploadDefaults) {
    this.options = options
  }

  async check(_olds: PagesUploadInputs, news: PagesUploadInputs): Promise<pulumi.dynamic.CheckResult<PagesUploadInputs>> {
    const failures: pulumi.dynamic.CheckFailure[] = []
    if (!news.directory || news.directory.startsWith('/') || /^[A-Za-z]:/.test(news.directory) || news.directory.split(/[\\/]/).includes('..'))
      failures.push({ property: 'directory', reason: 'must be a path inside the project, relative to it (no absolute paths in state)' })
    if (!/^[0-9a-f]{64}$/.test(news.sha256)) failures.push({ property: 'sha256', reason: 'must be a SHA-256 hex digest' })
    return { inputs: news, failures }
  }

  async diff(_id: string, olds: PagesUploadOutputs, news: PagesUploadInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (['accountId', 'projectName'] as const).filter((k) => olds[k] !== news[k])
    const changed = (['branch', 'directory', 'sha256'] as const).some((k) => olds[k] !== news[k])
    return { changes: replaces.length > 0 || changed, replaces }
  }

  async create(inputs: PagesUploadInputs): Promise<pulumi.dynamic.CreateResult<PagesUploadOutputs>> {
    const deploymentUrl = await this.deploy(inputs)
    return { id: `${inputs.projectName}/${inputs.branch}`, outs: { ...pick(inputs), deploymentUrl } }
  }

  async update(_id: string, _olds: PagesUploadOutputs, news: PagesUploadInputs): Promise<pulumi.dynamic.UpdateResult<PagesUploadOutputs>> {
    return { outs: { ...pick(news), deploymentUrl: await this.deploy(news) } }
  }

  /** Nothing to undo: deployments go with the Pages project. */
  async delete(_id: string, _props: PagesUploadOutputs): Promise<void> {}

  private async deploy(inputs: PagesUploadInputs): Promise<string> {
    const { execFile } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process')
    const { existsSync } = process.getBuiltinModule('node:fs') as typeof import('node:fs')
    const { dirname, join } = process.getBuiltinModule('node:path') as typeof import('node:path')
    // The Pulumi project is the nearest directory with a Pulumi.yaml (Pulumi's own rule).
    let root = process.cwd()
    while (!existsSync(join(root, 'Pulumi.yaml'))) {
      const up = dirname(root)
      if (up === root) throw new Error(`no Pulumi.yaml above ${process.cwd()}: cannot find the project to upload ${inputs.directory} from`)
      root = up
    }
    const directory = join(root, inputs.directory)
    if (!existsSync(directory)) throw new Error(`${inputs.directory} does not exist: build the admin site first (npm run build:admin)`)
    const args = [join(root, this.options.wranglerScript), 'pages', 'deploy', directory, '--project-name', inputs.projectName, '--branch', inputs.branch, '--commit-dirty=true']
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        args,
        {
          cwd: root,
          timeout: this.options.timeoutMs,
          maxBuffer: 16 * 1024 * 1024,
          env: { ...process.env, CLOUDFLARE_ACCOUNT_ID: inputs.accountId, WRANGLER_SEND_METRICS: 'false' },
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`wrangler pages deploy failed (${error.message.split('\n')[0]}):\n${stderr || stdout}`)) : resolve(`${stdout}\n${stderr}`),
      )
    })
    return /https:\/\/[\w.-]+\.pages\.dev\S*/.exec(output)?.[0] ?? ''
  }
}

function pick(i: PagesUploadInputs): PagesUploadInputs {
  return { accountId: i.accountId, projectName: i.projectName, branch: i.branch, directory: i.directory, sha256: i.sha256 }
}

export interface PagesUploadArgs {
  accountId: pulumi.Input<string>
  projectName: pulumi.Input<string>
  branch: pulumi.Input<string>
  directory: pulumi.Input<string>
  sha256: pulumi.Input<string>
}

export class PagesUpload extends pulumi.dynamic.Resource {
  declare readonly deploymentUrl: pulumi.Output<string>

  constructor(name: string, args: PagesUploadArgs, opts?: pulumi.CustomResourceOptions, provider = new PagesUploadProvider()) {
    super(provider, name, { ...args, deploymentUrl: undefined }, opts, 'watchllm', 'PagesUpload')
  }
}
