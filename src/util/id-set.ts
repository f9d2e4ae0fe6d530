/**
 * A compact set of strings for "has this id been seen in the run": it keeps a 64-bit hash
 * of each id (two 32-bit halves in one Uint32Array, open addressing), about 16 bytes an id
 * instead of ~100 for a Set<string>, so 500,000 ids cost ~8 MB. Two different ids collide
 * with a probability of about n²/2⁶⁵ (≈ 10⁻⁸ for the whole Hub).
 */
export class IdSet {
  #table: Uint32Array;
  #mask: number;
  #size = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.#table = new Uint32Array(cap * 2);
    this.#mask = cap - 1;
  }

  get size(): number {
    return this.#size;
  }

  has(id: string): boolean {
    const [h1, h2] = hash(id);
    return this.#find(h1, h2) >= 0;
  }

  /** Adds `id`; returns false when it was already there. */
  add(id: string): boolean {
    const [h1, h2] = hash(id);
    if (this.#find(h1, h2) >= 0) return false;
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow();
    this.#insert(h1, h2);
    this.#size += 1;
    return true;
  }

  #find(h1: number, h2: number): number {
    const table = this.#table;
    let slot = h1 & this.#mask;
    for (;;) {
      const a = table[slot * 2]!;
      const b = table[slot * 2 + 1]!;
      if (a === 0 && b === 0) return -1;
      if (a === h1 && b === h2) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  #insert(h1: number, h2: number): void {
    const table = this.#table;
    let slot = h1 & this.#mask;
    while (table[slot * 2] !== 0 || table[slot * 2 + 1] !== 0) slot = (slot + 1) & this.#mask;
    table[slot * 2] = h1;
    table[slot * 2 + 1] = h2;
  }

  #grow(): void {
    const old = this.#table;
    const cap = (this.#mask + 1) * 2;
    this.#table = new Uint32Array(cap * 2);
    this.#mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== 0 || old[i + 1] !== 0) this.#insert(old[i]!, old[i + 1]!);
    }
  }
}

/** Two independent 32-bit FNV-1a-style hashes of the UTF-16 code units; never both zero. */
function hash(s: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h2 = Math.imul(h2 ^ (h2 >>> 16), 0xc2b2ae35);
  h2 ^= h2 >>> 16;
  h1 >>>= 0;
  h2 >>>= 0;
  if (h1 === 0 && h2 === 0) h2 = 1;
  return [h1, h2];
}
