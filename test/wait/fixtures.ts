import type { SessionRef } from "../../src/types.js";

export const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
export const KEY = "sk-wait-test-key";

export function sessionRef(authSessionId: string, projectName = "my-project"): SessionRef {
  return { workspaceId: WORKSPACE, projectName, authSessionId };
}

export { type CapturedIO, captureIO } from "../helpers/capture-io.js";
