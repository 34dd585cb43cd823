/** A store-level failure the caller can act on (bad search input, schema newer than this build, …). */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    message: string,
    /** machine-readable reason, e.g. `unknown-search-parameter`, `invalid-date`, `nested-query` */
    readonly code: string,
  ) {
    super(message);
  }
}
