/**
 * `ms` moved uniformly within ±`jitter` (a fraction, clamped to 0..1), so sessions that share an
 * interval drift apart instead of polling in lockstep. `random` returns [0, 1) like Math.random.
 */
export function withJitter(ms: number, jitter: number, random: () => number): number {
  const spread = Math.min(1, Math.max(0, jitter));
  return Math.max(0, Math.round(ms * (1 + spread * (2 * random() - 1))));
}
