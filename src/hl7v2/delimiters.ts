import type { Delimiters } from './types.js';

export const DEFAULT_DELIMITERS: Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});

/** The MSH-2 text for a set of delimiters, e.g. `^~\&`. */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + (d.truncation ?? '');
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * Check the field separator (MSH-1) and encoding characters (MSH-2) of a message.
 * Returns the delimiters, or a sentence explaining why they cannot be used.
 */
export function readDelimiters(fieldSeparator: string, encoding: string): Delimiters | string {
  if (encoding.length < 4) {
    return (
      `MSH-2 must hold 4 encoding characters (component, repetition, escape, subcomponent), for example ^~\\&, ` +
      `but holds ${encoding.length}`
    );
  }
  if (encoding.length > 5) {
    return `MSH-2 holds ${encoding.length} characters; at most 5 are allowed (^~\\&, or ^~\\&# from v2.7): is MSH-1 missing?`;
  }
  const all = fieldSeparator + encoding;
  for (let i = 0; i < all.length; i++) {
    const code = all.charCodeAt(i);
    const which = i === 0 ? 'MSH-1 (field separator)' : `MSH-2 character ${i}`;
    if (code === 13 || code === 10) return `${which} is a line break; delimiters must be printable characters such as |^~\\&`;
    if (isAlphanumeric(code)) return `${which} is ${JSON.stringify(all[i])}; delimiters cannot be letters or digits`;
    if (all.indexOf(all[i] as string) !== i) {
      return `${which} ${JSON.stringify(all[i])} is used twice in MSH-1/MSH-2; each delimiter must be different`;
    }
  }
  return {
    field: fieldSeparator,
    component: encoding[0] as string,
    repetition: encoding[1] as string,
    escape: encoding[2] as string,
    subcomponent: encoding[3] as string,
    ...(encoding.length === 5 ? { truncation: encoding[4] as string } : {}),
  };
}
