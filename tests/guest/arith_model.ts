// Helpers for the arithmetic/shift/bit guest tests: split the table-driven
// output of arith_lib.inc into sections and parse its lines.

export interface Row { a: number; b: number; de: boolean; eax: number; edx: number; fl: number; text: string }

export function sections(out: string): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  let cur: Row[] | undefined;
  for (const line of out.split("\n")) {
    if (!line) continue;
    const f = line.split(" ");
    if (!/^[0-9a-f]{8}$/.test(f[0])) { cur = []; m.set(line, cur); continue; }
    const de = f[2].startsWith("DE");
    const n = f.map((x) => parseInt(x, 16) >>> 0);
    cur?.push(de
      ? { a: n[0], b: n[1], de, eax: n[3], edx: n[4], fl: -1, text: line }
      : { a: n[0], b: n[1], de, eax: n[2], edx: n[3], fl: n[4], text: line });
  }
  return m;
}

export const s8 = (x: number) => (x << 24) >> 24;
export const s16 = (x: number) => (x << 16) >> 16;
export const s32 = (x: number) => x | 0;
export const u32 = (x: number) => x >>> 0;
