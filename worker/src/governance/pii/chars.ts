/** Character classes the detectors test one char code at a time (no regex on the hot path). */

export const isDigit = (c: number): boolean => c >= 48 && c <= 57
export const isUpper = (c: number): boolean => c >= 65 && c <= 90
export const isLower = (c: number): boolean => c >= 97 && c <= 122
export const isAlnum = (c: number): boolean => isDigit(c) || isUpper(c) || isLower(c)
/** `\w` in a regex: letters, digits, `_`. */
export const isWord = (c: number): boolean => isAlnum(c) || c === 95
export const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
