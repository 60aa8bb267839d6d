import { connect } from "node:net";

/**
 * Sends raw bytes to 127.0.0.1:port and returns everything the server answers until it closes the
 * connection, or until `giveUpMs` pass (then `closed` is false: the answer never ended).
 */
export function rawRequest(
  port: number,
  text: string,
  giveUpMs = 2_000,
): Promise<{ answer: string; closed: boolean; ms: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    let closed = true;
    socket.on("data", (chunk) => {
      answer += chunk.toString();
    });
    const done = () => resolve({ answer, closed, ms: performance.now() - started });
    socket.on("close", done);
    socket.on("error", done);
    setTimeout(() => {
      closed = false;
      socket.destroy();
    }, giveUpMs).unref();
    socket.write(text);
  });
}
