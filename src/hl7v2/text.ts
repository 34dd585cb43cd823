const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Bytes → text: UTF-8 when valid, otherwise latin1 (ISO-8859-1), so no byte is ever lost. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

/**
 * The engine's own copy of a text (its string table, as for property names): equal names are then one string,
 * compared by identity and hashed once, wherever they are looked up (segment names, var names). For names
 * only: the table keeps them.
 */
export function internString(text: string): string {
  const keys = Object.keys({ [text]: 0 });
  return keys[0] ?? text;
}
