/**
 * Building the page from data without innerHTML: every value is set as text, so nothing a request
 * carried (a prompt, a model name) can ever run as markup.
 */
type Child = Node | string | number | null | undefined | false
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value)
    else if (name === 'class') el.className = String(value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child))
  return el
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from the page`)
  return el as T
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))))
}

export function emptyState(title: string, detail: string): HTMLElement {
  return h('div', { class: 'state', 'data-state': 'empty' }, h('h3', {}, title), h('p', {}, detail))
}

export function errorState(error: unknown, retry?: () => void): HTMLElement {
  const message = error instanceof Error ? error.message : String(error)
  return h(
    'div',
    { class: 'state error', 'data-state': 'error', role: 'alert' },
    h('h3', {}, 'Could not load this view'),
    h('p', {}, message),
    retry ? h('button', { class: 'btn', type: 'button', onclick: retry }, 'Try again') : null,
  )
}

export function loadingRows(columns: number, rows = 5): HTMLTableSectionElement {
  return h('tbody', { 'data-state': 'loading' }, ...Array.from({ length: rows }, () => h('tr', {}, ...Array.from({ length: columns }, () => h('td', {}, h('div', { class: 'skeleton' }, '\u00a0'))))))
}

export interface Column<T> {
  label: string
  value: (row: T) => Child
  numeric?: boolean
}

export function table<T>(columns: Column<T>[], rows: T[], options: { onRow?: (row: T) => void; testId?: string } = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      options.testId ? { 'data-testid': options.testId } : {},
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { class: c.numeric ? 'num' : undefined }, c.label)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            options.onRow ? { class: 'link', tabindex: 0, onclick: () => options.onRow?.(row), onkeydown: (e: Event) => (e as KeyboardEvent).key === 'Enter' && options.onRow?.(row) } : {},
            ...columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined }, c.value(row))),
          ),
        ),
      ),
    ),
  )
}

/** Runs a view's loader, showing its loading, error (with retry) and data states in `target`. */
export async function load<T>(target: Element, fetcher: () => Promise<T>, render: (data: T) => void): Promise<void> {
  target.setAttribute('aria-busy', 'true')
  try {
    render(await fetcher())
  } catch (e) {
    replace(target, errorState(e, () => void load(target, fetcher, render)))
  } finally {
    target.removeAttribute('aria-busy')
  }
}
