/**
 * authwatch as a library: the same code the CLI runs, for Node programs that wait for or watch
 * Intuned AuthSessions in-process.
 */

// The Intuned API.
export { createIntunedClient } from "./api/client.js";
export { createApiDispatcher } from "./api/dispatcher.js";
export * from "./api/errors.js";
export { pollSession } from "./api/poll.js";
export type { AuthSessionRecord, IntunedClient, IntunedClientOptions } from "./api/types.js";
export { loadWatchlist, readWatchlistFile } from "./config/load.js";
export { parseWatchlist } from "./config/parse.js";
export { resolveConfig } from "./config/resolve.js";
export type { Watchlist } from "./config/schema.js";
export type { ResolvedConfig, SinkConfig, WatchedSession } from "./config/types.js";
// Watch sessions in-process: the daemon behind `authwatch watch`.
export { type Daemon, type DaemonOptions, startDaemon } from "./daemon/daemon.js";
// Errors and exit codes.
export { AuthwatchError, EXIT } from "./errors/authwatch-error.js";
export { ERROR_CODES, type ErrorCode } from "./errors/codes.js";
export { ConfigError, type ConfigIssue } from "./errors/config-error.js";
export { createEventBus, type EventBus } from "./event-bus.js";
// Events and the state machine.
export * from "./events.js";
// A simulated Intuned API, for your own tests.
export { startFakeIntunedApi } from "./fake-api/server.js";
export type { FakeIntunedApi, FakeIntunedApiOptions, FakeSession } from "./fake-api/types.js";
export { createLogger, type Logger } from "./logger.js";

// Receiving authwatch's webhooks.
export { signWebhook } from "./sinks/sign.js";
export { type VerifyInput, type VerifyResult, verifyWebhookSignature } from "./sinks/verify.js";
export { transition } from "./transition.js";
export * from "./types.js";
export type {
  WaitForSessionOptions,
  WaitReport,
  WaitSessionState,
  WaitStatus,
  WaitTarget,
} from "./wait/types.js";
// Hold a job until sessions are READY.
export { WaitError } from "./wait/wait-error.js";
export { waitForSession } from "./wait/wait-for-sessions.js";
