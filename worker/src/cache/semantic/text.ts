/**
 * Text analysis for the semantic-cache decision: tokens, content words, numbers, entities,
 * negations and question words of one prompt. Pure and dependency-free so it runs in a
 * Worker; every regex and word list is built once per isolate.
 *
 * Cost is linear in the input: the text is cut to MAX_ANALYSED_CHARS and its whitespace runs
 * collapsed first, and no pattern has two unbounded quantifiers that can split the same run
 * (the old `\s*[?!.]*\s*$` took 12.7 s on a question followed by 80k spaces).
 */

/** Characters of a prompt the decision reads; the decision refuses pairs with a longer side. */
export const MAX_ANALYSED_CHARS = 4_096

/** What the decision needs to know about one side of a pair. */
export interface AnalysedText {
  /** Lower-cased, stemmed tokens in order (contractions expanded, numbers normalised). */
  tokens: string[]
  /** Stemmed tokens that carry meaning: no stop words, question words or negations. */
  content: string[]
  /** Numbers as canonical strings ("two" → "2", "1,000" → "1000", "2.50" → "2.5"). */
  numbers: Set<string>
  /** Capitalised words past the first token and all-caps acronyms, lower-cased. */
  entities: Set<string>
  /** How many negation words the text holds (not, no, never, n't, without, …). */
  negations: number
  /** The question word (what, why, how, who, …) opening the first question, or ''. */
  questionWord: string
  /** Arithmetic and comparison symbols in order ("+", "-", "<", …). */
  operators: string[]
  /** Points at something outside the text ("What insect is this?", "the code below"). */
  deictic: boolean
  /** For a yes/no question, the class of its opening auxiliary ("is", "do", "can", …), else ''. */
  auxiliary: string
}

/** 'wh' for "Why is…?", 'yes_no' for "Is…?", 'other' for statements and instructions. */
export function questionKind(t: AnalysedText): 'wh' | 'yes_no' | 'other' {
  return t.questionWord !== '' ? 'wh' : t.auxiliary !== '' ? 'yes_no' : 'other'
}

// Longest alternatives first: "can't" must expand before the generic "n't".
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan['’]t\b/gi, 'can not'],
  [/\bwon['’]t\b/gi, 'will not'],
  [/\bshan['’]t\b/gi, 'shall not'],
  [/\b(\w+)n['’]t\b/gi, '$1 not'],
  [/\b(\w+)['’]re\b/gi, '$1 are'],
  [/\b(\w+)['’]ve\b/gi, '$1 have'],
  [/\b(\w+)['’]ll\b/gi, '$1 will'],
  [/\b(\w+)['’]d\b/gi, '$1 would'],
  [/\b(what|who|where|when|why|how|it|that|there|here|he|she)['’]s\b/gi, '$1 is'],
  [/\bi['’]m\b/gi, 'i am'],
  [/['’]s\b/g, ''],
]
// A number with thousands separators or decimals, a word, or one operator symbol.
const TOKEN = /\d+(?:[.,]\d+)+|[\p{L}\p{N}]+|[+\-*/×÷=<>^%]/gu
const DIGITS = /^\d+(?:[.,]\d+)*$/
// Numbers also hide inside words ("200kg", "iPhone 6s", "3rd").
const NUMBER_IN_TEXT = /\d+(?:[.,]\d+)*/g
const THOUSANDS = /^\d{1,3}(?:,\d{3})+$/
const OPERATOR = /^[+\-*/×÷=<>^%]$/
// An entity is written with a capital (or is an acronym) in the original text.
const CAPITALISED = /^(?:\p{Lu}[\p{Ll}\p{N}]+|\p{Lu}{2,}\p{Ll}?|\p{Lu}\p{Ll}*\p{Lu}[\p{L}]*)$/u
const RAW_WORD = /[\p{L}\p{N}]+/gu
const LONG_WORD = /\p{L}{4,}/gu
const SENTENCE_END = /(?<=[.?!])\s+/
const ORDINAL_SUFFIX = /^\d+(?:st|nd|rd|th)$/
const THOUSANDS_SUFFIX = /^\d+k$/
const DIGIT_BEFORE = /\d\s*$/
const DIGIT_AFTER = /^\s*\d/
const AFTER_SENTENCE_END = /[.?!]\s*$/
const HAS_UPPER = /\p{Lu}/u

const NUMBER_WORDS: ReadonlyMap<string, string> = new Map([
  // "one" is left out: it is mostly a pronoun ("which one", "one can"), not a count.
  ...'zero _ two three four five six seven eight nine ten eleven twelve'.split(' ').map((w, i): [string, string] => [w, String(i)]),
  ...'first second third fourth fifth sixth seventh eighth ninth tenth'.split(' ').map((w, i): [string, string] => [w, `${i + 1}th`]),
  ...Object.entries({ twenty: '20', thirty: '30', forty: '40', fifty: '50', hundred: '100', thousand: '1000', million: '1000000', billion: '1000000000' }),
].filter(([w]) => w !== '_'))
const NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'without', 'none', 'nobody', 'nothing', 'neither', 'nor', 'nowhere', 'cannot', 'non'])
const QUESTION_WORDS: ReadonlySet<string> = new Set(['what', 'why', 'how', 'who', 'whom', 'whose', 'when', 'where', 'which'])
// Function words only: anything that could change the answer (best, first, more, …) stays content.
const STOP_WORDS: ReadonlySet<string> = new Set(
  ('a an the and or but if then so of to in on at by for with from into onto about as than ' +
    'is are was were be been being am do does did doing done have has had having ' +
    'i me my mine myself we us our you your yours he him his she her it its they them their ' +
    'this that these those there here some any such just also very really too quite ' +
    'can could will would shall should may might must get got getting ' +
    'one ones thing things someone something anyone anything please ever').split(' '),
)
// A question about an unseen attachment: its answer cannot be reused for another prompt.
const ENDS_WITH_POINTER = /\b(?:this|that|these|those)$/i
const DEICTIC = [
  /\b(?:below|above|attached|following|shown|pictured)\b/i,
  /\b(?:this|these)\s+(?:picture|image|photo|pic|question|problem|code|equation|video|song|word|sentence|poem|quote|graph|diagram|painting|logo|sign|symbol|riddle|puzzle|message|file|link|website|one)s?\b/i,
]
// Yes/no questions ask different things when their auxiliary's tense or mood differs.
const AUXILIARY_CLASS: ReadonlyMap<string, string> = new Map(
  Object.entries({ be: 'is are am was were', do: 'do does did', can: 'can could', will: 'will would', should: 'should shall must', have: 'have has had', may: 'may might' })
    .flatMap(([cls, words]) => words.split(' ').map((w): [string, string] => [w, cls])),
)

const WHITESPACE_RUN = /\s+/g
const TRAILING_MARKS: ReadonlySet<string> = new Set(['?', '!', '.', ' '])

/**
 * Analyses one prompt: its first `maxChars` characters (MAX_ANALYSED_CHARS), whitespace runs
 * collapsed to one space. Linear in the analysed length; nothing is kept between calls.
 */
export function analyse(text: string, maxChars: number = MAX_ANALYSED_CHARS): AnalysedText {
  const bounded = text.length > maxChars ? text.slice(0, maxChars) : text
  const normalised = expandContractions(bounded.normalize('NFKC').replace(WHITESPACE_RUN, ' '))
  const tokens: string[] = []
  const content: string[] = []
  const numbers = new Set<string>()
  const operators: string[] = []
  let negations = 0
  for (const match of normalised.toLowerCase().matchAll(TOKEN)) {
    const raw = match[0]
    if (OPERATOR.test(raw)) {
      // "-" between words is a hyphen, not a minus: only count symbols near a number.
      if (raw !== '-' || isNumericNeighbour(normalised, match.index)) operators.push(raw)
      continue
    }
    const number = DIGITS.test(raw) ? canonicalNumber(raw) : NUMBER_WORDS.get(raw)
    if (number !== undefined) numbers.add(number)
    if (number === undefined) for (const inner of raw.match(NUMBER_IN_TEXT) ?? []) numbers.add(innerNumber(raw, inner))
    const token = number ?? stem(raw)
    tokens.push(token)
    if (NEGATIONS.has(raw)) negations++
    else if (!QUESTION_WORDS.has(raw) && !STOP_WORDS.has(raw)) content.push(token)
  }
  const deictic = endsWithPointer(normalised) || DEICTIC.some((pattern) => pattern.test(normalised))
  return { tokens, content, numbers, entities: entitiesOf(normalised), negations, operators, deictic, ...questionOf(normalised) }
}

/**
 * How the first question opens: its wh-word (within its first three words: "In which year…"),
 * or its auxiliary for a yes/no question. Only the first sentence ending in "?" counts, or the
 * first sentence when none does, so a relative "which" inside a statement is no question word.
 */
function questionOf(text: string): { questionWord: string; auxiliary: string } {
  const sentences = text.trim().split(SENTENCE_END)
  const question = sentences.find((s) => s.trimEnd().endsWith('?')) ?? sentences[0] ?? ''
  const words = question.toLowerCase().match(RAW_WORD)?.slice(0, 3) ?? []
  const questionWord = words.find((w) => QUESTION_WORDS.has(w)) ?? ''
  const auxiliary = questionWord === '' ? (AUXILIARY_CLASS.get(words[0] ?? '') ?? '') : ''
  return { questionWord, auxiliary }
}

/** "What insect is this?": the text, less trailing marks and spaces, ends with a pointing word. */
function endsWithPointer(text: string): boolean {
  let end = text.length
  while (end > 0 && TRAILING_MARKS.has(text[end - 1] ?? '')) end--
  return ENDS_WITH_POINTER.test(text.slice(Math.max(0, end - 6), end))
}

function expandContractions(text: string): string {
  let out = text
  for (const [pattern, replacement] of CONTRACTIONS) out = out.replace(pattern, replacement)
  return out
}

function isNumericNeighbour(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 2), index)
  const after = text.slice(index + 1, index + 3)
  return DIGIT_BEFORE.test(before) || DIGIT_AFTER.test(after)
}

/** A number inside a word: "3rd" → "3th" (ordinal), "15k" → "15000", "200kg" → "200". */
function innerNumber(word: string, digits: string): string {
  if (ORDINAL_SUFFIX.test(word)) return `${canonicalNumber(digits)}th`
  if (THOUSANDS_SUFFIX.test(word)) return String(Number(canonicalNumber(digits)) * 1000)
  return canonicalNumber(digits)
}

function canonicalNumber(raw: string): string {
  const plain = THOUSANDS.test(raw) ? raw.replaceAll(',', '') : raw.replace(',', '.')
  const value = Number(plain)
  return Number.isFinite(value) ? String(value) : plain
}

/** Capitalised words that are not just the first word of a sentence. */
function entitiesOf(text: string): Set<string> {
  const entities = new Set<string>()
  // In Title Case Text every word looks like a name: trust only acronyms there.
  const longWords = (text.match(LONG_WORD) ?? []).slice(1)
  const titleCase = longWords.length >= 4 && longWords.filter((w) => CAPITALISED.test(w)).length / longWords.length > 0.6
  let sentenceStart = true
  for (const match of text.matchAll(RAW_WORD)) {
    const word = match[0]
    const previous = text.slice(Math.max(0, match.index - 2), match.index)
    if (AFTER_SENTENCE_END.test(previous)) sentenceStart = true
    const acronym = word.length >= 2 && word === word.toUpperCase() && HAS_UPPER.test(word)
    const lower = word.toLowerCase()
    const named = !titleCase && !sentenceStart && CAPITALISED.test(word) && lower !== 'i' && !QUESTION_WORDS.has(lower) && !STOP_WORDS.has(lower)
    // An acronym counts even when it spells a stop word: "IT job", "MS in US".
    if (acronym || named) entities.add(stem(lower))
    sentenceStart = false
  }
  return entities
}

/**
 * A light suffix stripper, enough to match "hire/hired/hires/hiring" and plurals.
 * Not a real stemmer: it only has to map both sides of a pair alike.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word
  let w = word
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`
  else if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1)
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3)
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2)
  if (w.length > 4 && /([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1)
  return w.endsWith('e') && w.length > 3 ? w.slice(0, -1) : w
}
