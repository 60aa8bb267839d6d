import type { Agent } from "undici";
import { afterAll, beforeAll } from "vitest";
import { createApiDispatcher } from "../../src/api/dispatcher.js";
import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";
import type { SessionRef } from "../../src/types.js";

export const WORKSPACE = "123e4567-e89b-12d3-a456-426614174000";
export const KEY = "sk-wait-test-key";

export function sessionRef(authSessionId: string, projectName = "my-project"): SessionRef {
  return { workspaceId: WORKSPACE, projectName, authSessionId };
}

export { type CapturedIO, captureIO } from "../helpers/capture-io.js";

/**
 * One fake Intuned API (accepting KEY) and one dispatcher for a whole test file, closed after it.
 * Read them through the returned getters inside tests.
 */
export function useFakeApiForFile(): { api: () => FakeIntunedApi; dispatcher: () => Agent } {
  let api: FakeIntunedApi | undefined;
  let dispatcher: Agent | undefined;
  beforeAll(async () => {
    api = await startFakeIntunedApi({ apiKeys: [KEY] });
    dispatcher = createApiDispatcher();
  });
  afterAll(async () => {
    await dispatcher?.close();
    await api?.close();
  });
  return { api: () => api!, dispatcher: () => dispatcher! };
}
