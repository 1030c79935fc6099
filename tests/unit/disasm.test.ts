// The map-driven disassembler (web/host/disasm.ts) against NASM's ndisasm, a
// disassembler no one here wrote: at every instruction start ndisasm finds in
// 256 KiB of pseudo-random bytes (16- and 32-bit), where both decode an
// instruction, the length and the mnemonic must agree. Known naming
// differences are listed (SDM names vs NASM's), and what ndisasm decodes that
// this CPU does not have (VEX, MPX) is skipped because ours is "(bad)" there.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { test, expect } from "vitest";
import { decodeOne, disassemble } from "../../web/host/disasm";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const OUT = join(ROOT, "build/guest");

// Naming, not decoding, differences:
// - the SDM spells the 32-bit forms PUSHFD, POPAD, IRETD...; NASM leaves the
//   default size unsuffixed and adds "w" or "d" for an override (retw, retd);
// - 0F18-0F1F are hint NOPs on this CPU; NASM names them hint_nopN/prefetch*;
// - NASM shows 90 with a 66/67 prefix as XCHG, and F2/F3 before a lockable
//   instruction as XACQUIRE/XRELEASE (TSX, which this CPU does not have).
const ALIASES: Record<string, string> = {
  pushfd: "pushf", popfd: "popf", pushad: "pusha", popad: "popa", iretd: "iret",
};
const theirName = (t: string) => t.replace(/^(pushf|popf|pusha|popa|iret|ret|retf)[wd]$/, "$1").replace(/^retnw?$/, "ret")
  .replace(/^(hint_nop\d+|prefetch\w*)$/, "nop");
const PREFIXES = /^(o16|o32|a16|a32|lock|rep|repne|repe|xacquire|xrelease|cs|ds|es|ss|fs|gs) /;

function bytesOf(seed: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  return b;
}

function compare(bits: 16 | 32, seed: number): { agree: number; mismatches: string[] } {
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `disasm-${bits}.bin`);
  const bytes = bytesOf(seed, 128 * 1024);
  writeFileSync(file, bytes);
  const lines = execFileSync("ndisasm", ["-b", String(bits), file], { maxBuffer: 1 << 28 }).toString().split("\n");
  let agree = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([0-9A-F]{8})  ([0-9A-F]+)\s+(.*)$/.exec(lines[i]);
    if (!m) continue;
    let hex = m[2];
    while (i + 1 < lines.length && /^\s+-[0-9A-F]+$/.test(lines[i + 1])) hex += lines[++i].trim().slice(1);
    const at = parseInt(m[1], 16), text = m[3];
    if (/^(db|dw|dd) /.test(text) || /\bwait\b/.test(text) || /\bbnd/.test(text) || PREFIXES.test(text + " ") && !text.includes(" ")) continue;
    const d = decodeOne(bytes.subarray(at), at, bits);
    if (!d || d.text === "(bad)") continue;
    let theirs = text;
    while (PREFIXES.test(theirs)) theirs = theirs.replace(PREFIXES, "");
    let ours = d.text;
    while (/^(lock|rep|repne) /.test(ours)) ours = ours.replace(/^(lock|rep|repne) /, "");
    const name = ours.split(" ")[0], their = theirName(theirs.split(" ")[0]);
    const same = name === their || ALIASES[name] === their || (name === "nop" && their === "xchg");
    if (same && d.length === hex.length / 2) agree++;
    else mismatches.push(`${hex.slice(0, 12)}: ours "${d.text}" (${d.length} bytes), ndisasm "${text}" (${hex.length / 2})`);
  }
  return { agree, mismatches };
}

test.each([[32, 0x12345678], [16, 0x9e3779b9]] as const)("%i-bit: lengths and mnemonics agree with ndisasm", (bits, seed) => {
  const { agree, mismatches } = compare(bits, seed);
  expect(mismatches.slice(0, 20)).toEqual([]);
  expect(agree).toBeGreaterThan(30_000);
});

test("operands in Intel syntax: registers, memory forms, immediates, relative targets", () => {
  const code = Uint8Array.from([
    0x8b, 0x44, 0x8b, 0x08,             // mov eax,[ebx+ecx*4+0x8]
    0x66, 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x34, 0x12, // mov word [0x1000],0x1234
    0x0f, 0xb6, 0x06,                   // movzx eax,byte [esi]
    0xcd, 0x80,                         // int 0x80
    0x74, 0xfe,                         // jz to itself
    0x0f, 0x22, 0xd8,                   // mov cr3,eax
    0xf3, 0xa5,                         // rep movsd
    0xd9, 0xe8,                         // fld1
    0xdd, 0x1c, 0x24,                   // fstp qword [esp]
  ]);
  expect(disassemble(code, 0xc0100000, 32).map((l) => l.text)).toEqual([
    "mov eax,[ebx+ecx*4+0x8]", "mov word [0x1000],0x1234", "movzx eax,byte [esi]", "int 0x80", "jz 0xc0100012",
    "mov cr3,eax", "rep movsd", "fld1", "fstp qword [esp]",
  ]);
  // 16-bit: ModRM's 16-bit forms, far pointers.
  expect(disassemble(Uint8Array.from([0x8b, 0x42, 0x04, 0xea, 0x00, 0x7c, 0x00, 0x00]), 0, 16).map((l) => l.text))
    .toEqual(["mov ax,[bp+si+0x4]", "jmp 0x0:0x7c00"]);
  // A cut-off instruction is not decoded; LES with a register operand is invalid.
  expect(decodeOne(Uint8Array.from([0x8b, 0x44]), 0, 32)).toBeUndefined();
  expect(decodeOne(Uint8Array.from([0xc4, 0xc0]), 0, 32)?.text).toBe("(bad)");
});
