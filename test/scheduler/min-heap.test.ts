import { describe, expect, it } from "vitest";
import { createMinHeap } from "../../src/scheduler/min-heap.js";

/** A small deterministic generator, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

describe("min-heap", () => {
  it("returns random pushes interleaved with pops in (at, seq) order", () => {
    const random = seededRandom(42);
    const heap = createMinHeap<string>();
    const reference: { at: number; seq: number }[] = [];
    const popped: string[] = [];
    const expected: string[] = [];
    let seq = 0;
    const popBoth = () => {
      reference.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const first = reference.shift()!;
      expected.push(`${first.at}:${first.seq}`);
      popped.push(heap.pop()!);
    };
    for (let step = 0; step < 5_000; step++) {
      if (reference.length > 0 && random() < 0.4) {
        popBoth();
      } else {
        // Few distinct times, so ties are common and must fall back to seq.
        const at = Math.floor(random() * 100);
        heap.push(at, seq, `${at}:${seq}`);
        reference.push({ at, seq });
        seq++;
      }
    }
    while (reference.length > 0) popBoth();
    expect(popped).toEqual(expected);
    expect(heap.size()).toBe(0);
    expect(heap.pop()).toBeUndefined();
  });

  it("peeks at the earliest entry without removing it", () => {
    const heap = createMinHeap<string>();
    expect(heap.peekAt()).toBeUndefined();
    heap.push(30, 0, "c");
    heap.push(10, 2, "b");
    heap.push(10, 1, "a");
    expect([heap.peekAt(), heap.peekSeq(), heap.size()]).toEqual([10, 1, 3]);
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual(["a", "b", "c"]);
  });

  it("keeps only the retained entries and still pops them in order", () => {
    const random = seededRandom(7);
    const heap = createMinHeap<number>();
    const kept: number[] = [];
    for (let seq = 0; seq < 2_000; seq++) {
      const at = Math.floor(random() * 10_000);
      heap.push(at, seq, at);
      if (seq % 3 !== 0) kept.push(at);
    }
    heap.retain((_value, seq) => seq % 3 !== 0);
    expect(heap.size()).toBe(kept.length);
    const popped: number[] = [];
    while (heap.size() > 0) popped.push(heap.pop()!);
    expect(popped).toEqual(kept.sort((a, b) => a - b));
  });
});
