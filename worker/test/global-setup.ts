// Placeholder until the fakes land: provides unreachable URLs so config resolves.
import type { TestProject } from 'vitest/node'
export default function setup(project: TestProject) {
  for (const k of ['fakeOpenaiUrl', 'fakeAnthropicUrl', 'fakeGroqUrl', 'upstashUrl'] as const)
    project.provide(k, 'http://127.0.0.1:9')
  project.provide('upstashToken', 'x')
}
declare module 'vitest' {
  interface ProvidedContext {
    fakeOpenaiUrl: string
    fakeAnthropicUrl: string
    fakeGroqUrl: string
    upstashUrl: string
    upstashToken: string
  }
}
