// QEMU's Ctrl-A console escapes (web/cli/escape.ts).
import { test, expect } from "vitest";
import { EscapeFilter } from "../../web/cli/escape";

const b = (...x: (number | string)[]) => Uint8Array.from(x.flatMap((v) => (typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v])));
const bytes = (s: Uint8Array) => ({ bytes: s });

test("plain input goes to the guest unchanged", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("ls -l\r", 3, 4))).toEqual([bytes(b("ls -l\r", 3, 4))]);
});

test("Ctrl-A x quits, in order with the bytes around it", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("ab", 1, "x", "cd"))).toEqual([bytes(b("ab")), { event: "quit" }, bytes(b("cd"))]);
});

test("Ctrl-A c then a command in the same read: the command comes after the switch", () => {
  // A starved host reads "C-a c" and what follows together; the monitor must get it.
  const f = new EscapeFilter();
  expect(f.feed(b(1, "c", "info registers\r", 1, "c", "ls\r"))).toEqual([
    { event: "monitor" }, bytes(b("info registers\r")), { event: "monitor" }, bytes(b("ls\r")),
  ]);
});

test("Ctrl-A h and Ctrl-A ? print help", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, "h", 1, "?"))).toEqual([{ event: "help" }, { event: "help" }]);
});

test("Ctrl-A Ctrl-A sends one Ctrl-A", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, 1, "z"))).toEqual([bytes(b(1, "z"))]);
});

test("the escape state carries across reads", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("a", 1))).toEqual([bytes(b("a"))]);
  expect(f.feed(b("x"))).toEqual([{ event: "quit" }]);
  expect(f.feed(b("x"))).toEqual([bytes(b("x"))]); // escape consumed: a plain x again
});

test("unknown keys after Ctrl-A are dropped; Ctrl-A c is the monitor switch; unsupported commands are reported", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, "q", "r"))).toEqual([bytes(b("r"))]);
  expect(f.feed(b(1, "c", 1, "s"))).toEqual([{ event: "monitor" }, { event: { unsupported: "s" } }]);
});
