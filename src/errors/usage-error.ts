import { AuthwatchError, EXIT } from "./authwatch-error.js";

/** A wrong command line: exit 2. */
export class UsageError extends AuthwatchError {
  override name = "UsageError";
  constructor(message: string) {
    super("USAGE", message, { exitCode: EXIT.USAGE });
  }
}
