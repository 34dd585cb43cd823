/** Latin letters that Unicode does not decompose into a base letter and an accent. */
const LETTER_FOLDS: Readonly<Record<string, string>> = {
  ø: 'o', ł: 'l', đ: 'd', ħ: 'h', ŧ: 't', ß: 'ss', æ: 'ae', œ: 'oe', þ: 'th', ð: 'd', ı: 'i',
};
const FOLDABLE = new RegExp(`[${Object.keys(LETTER_FOLDS).join('')}]`, 'gu');

/** Fold a string for case- and accent-insensitive matching: `Zoë  Ørsted` → `zoe orsted`. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(FOLDABLE, (c) => LETTER_FOLDS[c] ?? c)
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Escape LIKE wildcards so user text only ever matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
