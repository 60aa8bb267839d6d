import { randomUUID } from "node:crypto";

let prefixMs = -1;
let prefix = "";

/**
 * A new event id: a UUIDv7 (RFC 9562), 48 bits of milliseconds then 74 random bits. Ids made one
 * after another sort together, so the store's unique index on them grows at its end instead of
 * dirtying a random page per event (random v4 ids made that index a third of a commit's writes).
 * The random part is a v4 UUID's (Node hands those out from a pool), with the version nibble set to
 * 7; its variant bits are the same. Receivers see an ordinary UUID; the time in it is only for
 * locality, never read back.
 */
export function newEventId(now: number = Date.now()): string {
  if (now !== prefixMs) {
    prefixMs = now;
    const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, "0").slice(-12);
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
  }
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: everything after the version nibble.
  return prefix + randomUUID().slice(15);
}
