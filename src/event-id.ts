import { randomFillSync } from "node:crypto";

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
/** Random bytes drawn 256 ids at a time: one getrandom call instead of one per event. */
const POOL_IDS = 256;
const RANDOM_BYTES = 10;
const pool = Buffer.alloc(POOL_IDS * RANDOM_BYTES);
let offset = pool.length;

/**
 * A new event id: a UUIDv7 (RFC 9562), 48 bits of milliseconds then 74 random bits. Ids made one
 * after another sort together, so the store's unique index on them grows at its end instead of
 * dirtying a random page per event (a third of a state change's write cost with random v4 ids).
 * Receivers see an ordinary UUID; the time in it is only for locality, never read back.
 */
export function newEventId(now: number = Date.now()): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = offset;
  offset += RANDOM_BYTES;
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, "0").slice(-12);
  return (
    `${time.slice(0, 8)}-${time.slice(8)}-7${HEX[pool[r]! & 0x0f]![1]}${HEX[pool[r + 1]!]}-` +
    `${HEX[(pool[r + 2]! & 0x3f) | 0x80]}${HEX[pool[r + 3]!]}-` +
    `${HEX[pool[r + 4]!]}${HEX[pool[r + 5]!]}${HEX[pool[r + 6]!]}${HEX[pool[r + 7]!]}${HEX[pool[r + 8]!]}${HEX[pool[r + 9]!]}`
  );
}
