import { describe, expect, it } from 'vitest';
import { decodeEscapes, DEFAULT_DELIMITERS, encodeEscapes, type Delimiters } from '../../src/hl7v2/index.js';

const d = DEFAULT_DELIMITERS;
const custom: Delimiters = { field: '#', component: ':', repetition: '*', escape: '!', subcomponent: '$', truncation: '%' };

describe('decodeEscapes', () => {
  it('leaves text without the escape character untouched', () => {
    expect(decodeEscapes('SMITH JOHN', d)).toBe('SMITH JOHN');
  });

  it('resolves delimiter escapes', () => {
    expect(decodeEscapes('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d)).toBe('a|b^c&d~e\\f');
    expect(decodeEscapes('x\\P\\y', { ...d, truncation: '#' })).toBe('x#y');
  });

  it('resolves escapes with non-default delimiters', () => {
    expect(decodeEscapes('a!F!b!S!c!T!d!R!e!E!f!P!g', custom)).toBe('a#b:c$d*e!f%g');
    expect(decodeEscapes('a\\F\\b', custom)).toBe('a\\F\\b');
  });

  it('turns \\.br\\ and \\.sp\\ into line breaks and drops other formatting', () => {
    expect(decodeEscapes('one\\.br\\two', d)).toBe('one\ntwo');
    expect(decodeEscapes('one\\.sp 2\\two', d)).toBe('one\n\ntwo');
    expect(decodeEscapes('\\H\\Important\\N\\ note', d)).toBe('Important note');
    expect(decodeEscapes('a\\.in+4\\b\\.ce\\c', d)).toBe('abc');
    expect(decodeEscapes('a\\Zlocal\\b', d)).toBe('ab');
    expect(decodeEscapes('a\\C2842\\b\\M2442\\c', d)).toBe('abc');
  });

  it('decodes hex escapes as UTF-8, falling back to latin1', () => {
    expect(decodeEscapes('Z\\XC3BC\\rich', d)).toBe('Zürich');
    expect(decodeEscapes('\\XE282AC\\5', d)).toBe('€5');
    expect(decodeEscapes('caf\\XE9\\', d)).toBe('café'); // 0xE9 alone is not UTF-8: latin1
    expect(decodeEscapes('a\\X0D0A\\b', d)).toBe('a\r\nb');
    expect(decodeEscapes('a\\XZZ\\b', d)).toBe('ab');
  });

  it('keeps an unterminated escape literally', () => {
    expect(decodeEscapes('50\\% off', d)).toBe('50\\% off');
    expect(decodeEscapes('a\\F\\b\\', d)).toBe('a|b\\');
  });

  it('keeps text between escape characters that is not an escape sequence', () => {
    expect(decodeEscapes('C:\\Users\\F\\x', d)).toBe('C:\\Users|x');
  });
});

describe('encodeEscapes', () => {
  it('escapes every delimiter and line breaks', () => {
    expect(encodeEscapes('a|b^c&d~e\\f', d)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
    expect(encodeEscapes('one\ntwo\rthree', d)).toBe('one\\.br\\two\\X0D\\three');
    expect(encodeEscapes('plain text', d)).toBe('plain text');
  });

  it('does not let text "" turn into the HL7 null', () => {
    expect(encodeEscapes('""', d)).toBe('\\X2222\\');
    expect(decodeEscapes(encodeEscapes('""', d), d)).toBe('""');
    expect(encodeEscapes('say ""', d)).toBe('say ""');
  });

  it('uses the declared delimiters, including truncation', () => {
    expect(encodeEscapes('a#b:c$d*e!f%g', custom)).toBe('a!F!b!S!c!T!d!R!e!E!f!P!g');
  });

  it('avoids \\.br\\ when . is a delimiter', () => {
    const dotted: Delimiters = { ...d, component: '.' };
    expect(encodeEscapes('a\nb', dotted)).toBe('a\\X0A\\b');
    expect(decodeEscapes(encodeEscapes('a\nb.c', dotted), dotted)).toBe('a\nb.c');
  });

  it('round-trips text through decode and encode', () => {
    for (const text of ["O'BRIEN & SONS | 50% ^ ~ \\", 'line\r\nline', '\\\\', '']) {
      expect(decodeEscapes(encodeEscapes(text, d), d)).toBe(text);
      expect(decodeEscapes(encodeEscapes(text, custom), custom)).toBe(text);
    }
    const encoded = 'O\\T\\BRIEN\\S\\MARY\\F\\x\\E\\';
    expect(encodeEscapes(decodeEscapes(encoded, d), d)).toBe(encoded);
  });
});
