import { connect } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { systemClock } from "../../src/clock.js";
import { listenStatusServer } from "../../src/http/status-server.js";
import { createSilentLogger } from "../../src/logger.js";

/** Sends raw bytes and returns everything the server answers until it closes or 2 s pass. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    const done = () => resolve(answer);
    socket.on("close", done);
    socket.on("error", done);
    setTimeout(() => socket.destroy(), 2_000).unref();
    socket.write(text);
  });
}

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

    const answer = await rawRequest(port, "GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe("ok");
  });
});
