import { describe, expect, it } from "vitest";
import { createFifoQueue } from "../../src/scheduler/fifo-queue.js";

describe("fifo queue", () => {
  it("returns values in the order they were pushed, across its internal compaction", () => {
    const queue = createFifoQueue<number>();
    const out: number[] = [];
    for (let value = 0; value < 5_000; value++) {
      queue.push(value);
      // Drain slower than filling so the head index passes the compaction threshold with items left.
      if (value % 3 === 0) out.push(queue.shift()!);
    }
    expect(queue.peek()).toBe(out.length);
    while (queue.size() > 0) out.push(queue.shift()!);
    expect(out).toEqual(Array.from({ length: 5_000 }, (_, index) => index));
    expect(queue.shift()).toBeUndefined();
  });
});
