import { describe, expect, it, onTestFinished } from "vitest";
import { systemClock } from "../../src/clock.js";
import { listenStatusServer } from "../../src/http/status-server.js";
import { createSilentLogger } from "../../src/logger.js";
import { rawRequest } from "../helpers/raw-request.js";

describe("the status server", () => {
  it("answers a request target that is not a URL with 400 and keeps serving", async () => {
    const server = await listenStatusServer(
      { host: "127.0.0.1", port: 0 },
      { token: undefined, logger: createSilentLogger(), clock: systemClock },
    );
    onTestFinished(() => server.close());
    server.serve({
      "/healthz": (_request, response) => {
        response.end("ok");
      },
    });
    const port = Number(new URL(server.url).port);

    const { answer } = await rawRequest(
      port,
      "GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe("ok");
  });
});
