// tools/guest/lab/lab.asm's labels and constants, from nasm's map file of the
// same source: where the lab's teaching stops must land (tests/system/lab.test.ts,
// tests/e2e/labdemo.test.ts), known from the program rather than read back.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./serial-guest";

/** Assembles lab.asm into build/guest/lab.bin with its map; the symbols by name. */
export function labSymbols(): { sym: Record<string, number>; bin: Buffer } {
  const out = join(ROOT, "build/guest");
  mkdirSync(out, { recursive: true });
  const map = join(out, "lab.map"), bin = join(out, "lab.bin");
  execFileSync("nasm", ["-f", "bin", "--before", `[map symbols ${map}]`, "-o", bin, join(ROOT, "tools/guest/lab/lab.asm")]);
  const sym: Record<string, number> = {};
  // "Value  Name" rows for constants, "Real  Virtual  Name" rows for labels.
  for (const m of readFileSync(map, "latin1").matchAll(/^\s*([0-9A-F]+)\s+(?:([0-9A-F]+)\s+)?([A-Za-z_.][\w.]*)$/gm)) {
    sym[m[3]] = parseInt(m[2] ?? m[1], 16);
  }
  return { sym, bin: readFileSync(bin) };
}
