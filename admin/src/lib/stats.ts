/** Fills the headline numbers (`Stat.astro`) a page declares. */

export function setStat(name: string, value: string, sub = '', options: { muted?: boolean; raw?: number | null } = {}): void {
  const card = document.querySelector<HTMLElement>(`[data-stat="${name}"]`)
  if (!card) return
  const valueEl = card.querySelector<HTMLElement>('[data-value]')
  const subEl = card.querySelector<HTMLElement>('[data-sub]')
  if (valueEl) {
    valueEl.textContent = value
    valueEl.title = value
    valueEl.classList.remove('skeleton')
    valueEl.classList.toggle('muted', options.muted === true)
    // The exact number behind the formatted one, for tests and copy-paste.
    if (options.raw !== undefined) valueEl.dataset.raw = options.raw === null ? '' : String(options.raw)
  }
  if (subEl) subEl.textContent = sub
}

export function statsFailed(names: string[]): void {
  for (const name of names) setStat(name, '—', 'unavailable', { muted: true })
}
