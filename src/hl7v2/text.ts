const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Bytes → text: UTF-8 when valid, otherwise latin1 (ISO-8859-1), so no byte is ever lost. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}
