import type { Clock } from "../clock.js";

export interface LoginLimiter {
  /** Milliseconds this address must wait before trying again; 0 when it may try now. */
  waitMs(address: string): number;
  /** Records a failed login; returns how many this address has had in the current window. */
  failed(address: string): number;
  succeeded(address: string): void;
}

export interface LoginLimiterOptions {
  clock: Clock;
  /** Failed logins an address may make per window before it is refused outright. */
  maxFailures?: number;
  windowMs?: number;
  /** Addresses remembered at most, so a flood of sources cannot grow memory without bound. */
  maxAddresses?: number;
}

/** Counts failed logins per client address in a fixed window; past the limit, the address waits. */
export function createLoginLimiter(options: LoginLimiterOptions): LoginLimiter {
  const { clock } = options;
  const maxFailures = options.maxFailures ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const windows = new Map<string, { start: number; failures: number }>();

  const current = (address: string) => {
    const window = windows.get(address);
    if (window && clock.now() - window.start >= windowMs) {
      windows.delete(address);
      return undefined;
    }
    return window;
  };
  return {
    waitMs(address) {
      const window = current(address);
      if (!window || window.failures < maxFailures) return 0;
      return Math.max(0, window.start + windowMs - clock.now());
    },
    failed(address) {
      const window = current(address) ?? { start: clock.now(), failures: 0 };
      window.failures++;
      windows.delete(address);
      windows.set(address, window);
      // Maps iterate in insertion order: the first key is the address heard from longest ago.
      if (windows.size > maxAddresses) windows.delete(windows.keys().next().value as string);
      return window.failures;
    },
    succeeded(address) {
      windows.delete(address);
    },
  };
}
