// Fixed-capacity circular buffer: O(1) per push, oldest entries overwritten.

export class Ring<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError('ring capacity must be a positive integer');
    }
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  /** The newest `n` items (all when undefined), oldest first. */
  last(n?: number): T[] {
    const count = n === undefined ? this.#size : Math.max(0, Math.min(this.#size, Math.floor(n)));
    const out: T[] = [];
    for (let i = this.#size - count; i < this.#size; i++) {
      out.push(this.#items[(this.#start + i) % this.capacity] as T);
    }
    return out;
  }
}
