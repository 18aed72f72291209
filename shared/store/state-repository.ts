/** The State table: named checkpoints, e.g. the roster's "changed since" (ARCHITECTURE.md "Tables"). */

export interface StoredState {
  readonly value: string;
  readonly etag: string;
}

export interface StateRepository {
  /** `scope` is the partition ("roster" …), `name` the checkpoint within it. */
  get(scope: string, name: string): Promise<StoredState | undefined>;
  /**
   * Writes the value and returns the new ETag. With `etag`, only if the row still has it
   * (ConcurrencyConflictError otherwise); without, unconditionally.
   */
  set(scope: string, name: string, value: string, etag?: string): Promise<string>;
}
