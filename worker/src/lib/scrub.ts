/**
 * Masks anything that looks like a credential in text that may reach a client or a log
 * (upstream error messages quote keys: "Incorrect API key provided: sk-…").
 */
const credential =
  /\b(?:sk-ant-[\w-]{6,}|sk-[\w-]{6,}|gsk_\w{6,}|lgw_[\w-]{4,}|AKIA[A-Z0-9]{12,}|AIza[\w-]{20,}|xox[abprs]-[\w-]{6,}|gh[pousr]_\w{10,})|\bBearer\s+[\w.~+/-]{8,}/g

export function scrubSecrets(text: string): string {
  return text.replace(credential, '[redacted]')
}
