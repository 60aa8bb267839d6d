import { ConfigError } from "../../src/errors/config-error.js";

/** Runs `run` and returns the ConfigError it throws; fails the test if it throws nothing or something else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
