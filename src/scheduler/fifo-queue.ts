/**
 * A first-in first-out queue with O(1) shift. `Array.prototype.shift` is O(n), which turns
 * draining a sweep of 20,000 due sessions into 200 million moves; a head index avoids that.
 */
export interface FifoQueue<T> {
  size(): number;
  push(value: T): void;
  peek(): T | undefined;
  shift(): T | undefined;
}

/** Below this many consumed slots, compacting would cost more than the memory it frees. */
const COMPACT_AFTER = 1_024;

export function createFifoQueue<T>(): FifoQueue<T> {
  let items: (T | undefined)[] = [];
  let head = 0;

  return {
    size: () => items.length - head,
    push(value) {
      items.push(value);
    },
    peek: () => items[head],
    shift() {
      if (head >= items.length) return undefined;
      const value = items[head];
      // Clear the slot so a finished session is not kept alive by the queue.
      items[head] = undefined;
      head++;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head >= COMPACT_AFTER && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
      return value;
    },
  };
}
