import { UsageError } from "../errors/usage-error.js";
import { UUID_PATTERN } from "../types.js";

/** `--workspace ID` of any command: a UUID, or a usage error that shows one. */
export function parseWorkspaceFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!UUID_PATTERN.test(value)) {
    throw new UsageError(`--workspace "${value}" must be a UUID like "123e4567-e89b-12d3-a456-426614174000"`);
  }
  return value;
}
