import { type FakeIntunedApi, startFakeIntunedApi } from "../../src/fake-api/server.js";

/** The README's example session, READY, behind a fake API that accepts `key`; the caller closes it. */
export function startReadySessionApi(key: string): Promise<FakeIntunedApi> {
  return startFakeIntunedApi({
    apiKeys: [key],
    sessions: [
      {
        workspaceId: "123e4567-e89b-12d3-a456-426614174000",
        projectName: "my-project",
        authSessionId: "auth-session-123",
        timeline: [{ status: "READY" }],
      },
    ],
  });
}
