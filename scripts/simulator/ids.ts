import { randomInt } from "node:crypto";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A Clerk-style id: a prefix and 27 base62 characters, like `user_2NNEqL2nrIRdJ194ndJqAHwEfxC`. */
export function clerkId(prefix: "user" | "org" | "orgmem" | "sess" | "idn" | "ins" | "msg", random: () => number = secureRandom): string {
  let id = "";
  for (let i = 0; i < 27; i++) id += base62[Math.floor(random() * 62)];
  return `${prefix}_${id}`;
}

function secureRandom(): number {
  return randomInt(0, 2 ** 32) / 2 ** 32;
}

/** A small seeded PRNG (mulberry32), so demo data is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
