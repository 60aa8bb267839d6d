/**
 * A binary min-heap ordered by (at, seq). Entries live in three parallel arrays rather than as
 * objects: the scheduler keeps one entry per watched session, and at 100,000 sessions an object
 * per entry would cost more than the heap itself. `at` and `seq` stay unboxed doubles in V8.
 */
export interface MinHeap<T> {
  size(): number;
  push(at: number, seq: number, value: T): void;
  /** The smallest `at`, or undefined when empty. */
  peekAt(): number | undefined;
  /** The `seq` of the entry `peekAt` describes. */
  peekSeq(): number | undefined;
  /** Removes the first entry and returns its value. */
  pop(): T | undefined;
  /** Keeps only the entries `keep` accepts, then restores heap order in O(n). */
  retain(keep: (value: T, seq: number) => boolean): void;
}

export function createMinHeap<T>(): MinHeap<T> {
  const ats: number[] = [];
  const seqs: number[] = [];
  const values: T[] = [];

  const before = (atA: number, seqA: number, atB: number, seqB: number) =>
    atA < atB || (atA === atB && seqA < seqB);

  // Both sifts carry the moving entry in locals and write it once, at its final slot.
  const siftUp = (start: number) => {
    const at = ats[start]!;
    const seq = seqs[start]!;
    const value = values[start]!;
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!before(at, seq, ats[parent]!, seqs[parent]!)) break;
      ats[index] = ats[parent]!;
      seqs[index] = seqs[parent]!;
      values[index] = values[parent]!;
      index = parent;
    }
    ats[index] = at;
    seqs[index] = seq;
    values[index] = value;
  };

  const siftDown = (start: number) => {
    const length = ats.length;
    const at = ats[start]!;
    const seq = seqs[start]!;
    const value = values[start]!;
    let index = start;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && before(ats[right]!, seqs[right]!, ats[child]!, seqs[child]!)) child = right;
      if (!before(ats[child]!, seqs[child]!, at, seq)) break;
      ats[index] = ats[child]!;
      seqs[index] = seqs[child]!;
      values[index] = values[child]!;
      index = child;
    }
    ats[index] = at;
    seqs[index] = seq;
    values[index] = value;
  };

  return {
    size: () => ats.length,
    push(at, seq, value) {
      ats.push(at);
      seqs.push(seq);
      values.push(value);
      siftUp(ats.length - 1);
    },
    peekAt: () => ats[0],
    peekSeq: () => seqs[0],
    pop() {
      if (ats.length === 0) return undefined;
      const top = values[0];
      const lastAt = ats.pop()!;
      const lastSeq = seqs.pop()!;
      const lastValue = values.pop()!;
      if (ats.length > 0) {
        ats[0] = lastAt;
        seqs[0] = lastSeq;
        values[0] = lastValue;
        siftDown(0);
      }
      return top;
    },
    retain(keep) {
      let kept = 0;
      for (let index = 0; index < ats.length; index++) {
        if (!keep(values[index]!, seqs[index]!)) continue;
        ats[kept] = ats[index]!;
        seqs[kept] = seqs[index]!;
        values[kept] = values[index]!;
        kept++;
      }
      ats.length = kept;
      seqs.length = kept;
      values.length = kept;
      for (let index = (kept >> 1) - 1; index >= 0; index--) siftDown(index);
    },
  };
}
