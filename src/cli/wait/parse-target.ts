import { AUTH_SESSION_ID_PATTERN } from "../../config/schema.js";
import { UsageError } from "../../errors/usage-error.js";
import { WAIT_STATUSES, type WaitStatus } from "../../wait/types.js";

export interface ParsedTarget {
  projectName: string;
  authSessionId: string;
}

const EXAMPLE = "my-project/auth-session-123";

/** `PROJECT/SESSION_ID` from the command line; a wrong one is a usage error that quotes it. */
export function parseWaitTarget(argument: string): ParsedTarget {
  const parts = argument.split("/");
  if (parts.length !== 2) {
    const problem = parts.length === 1 ? 'has no "/"' : 'has more than one "/"';
    throw new UsageError(`"${argument}" ${problem}: name a session as PROJECT/SESSION_ID, like ${EXAMPLE}`);
  }
  const [projectName = "", authSessionId = ""] = parts;
  if (projectName === "") {
    throw new UsageError(
      `"${argument}" has an empty project: name a session as PROJECT/SESSION_ID, like ${EXAMPLE}`,
    );
  }
  if (authSessionId.length < 3 || !AUTH_SESSION_ID_PATTERN.test(authSessionId)) {
    throw new UsageError(
      `"${argument}": the session id "${authSessionId}" must be 3 or more of the characters A-Z a-z 0-9 - ( ) , _`,
    );
  }
  return { projectName, authSessionId };
}

/** `--for`: one of WAIT_STATUSES, in any case; undefined for anything else. */
export function parseWaitStatus(value: string): WaitStatus | undefined {
  const upper = value.trim().toUpperCase();
  return WAIT_STATUSES.find((status) => status === upper);
}
