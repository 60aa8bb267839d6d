import { AuthwatchError, EXIT } from "../errors/authwatch-error.js";

/**
 * A write refused because this instance no longer holds the lease at the epoch it wrote with: another
 * instance leads now. Nothing of the transaction was stored; the caller must stop acting as leader.
 */
export class FencedError extends AuthwatchError {
  override name = "FencedError";
  readonly epoch: number;

  constructor(epoch: number) {
    super(
      "STORE_ERROR",
      `write refused: this instance's lease (epoch ${epoch}) has passed to another instance; it stands by`,
      { exitCode: EXIT.FAILURE },
    );
    this.epoch = epoch;
  }
}

/** A session row changed under a writer (its compare-and-set on the version failed). */
export class StaleSessionError extends AuthwatchError {
  override name = "StaleSessionError";

  constructor(keys: readonly string[]) {
    super(
      "STORE_ERROR",
      `write refused: ${keys.length} session row(s) changed in the database since they were read (e.g. ${keys[0]}); another instance wrote them`,
      { exitCode: EXIT.FAILURE },
    );
  }
}
