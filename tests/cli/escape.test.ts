// QEMU's Ctrl-A console escapes (web/cli/escape.ts).
import { test, expect } from "vitest";
import { EscapeFilter } from "../../web/cli/escape";

const b = (...x: (number | string)[]) => Uint8Array.from(x.flatMap((v) => (typeof v === "string" ? [...v].map((c) => c.charCodeAt(0)) : [v])));

test("plain input goes to the guest unchanged", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("ls -l\r", 3, 4))).toEqual({ guest: b("ls -l\r", 3, 4), events: [] });
});

test("Ctrl-A x quits; nothing after the escape reaches the guest", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("ab", 1, "x", "cd"))).toEqual({ guest: b("abcd"), events: ["quit"] });
});

test("Ctrl-A h and Ctrl-A ? print help", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, "h", 1, "?")).events).toEqual(["help", "help"]);
});

test("Ctrl-A Ctrl-A sends one Ctrl-A", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, 1, "z"))).toEqual({ guest: b(1, "z"), events: [] });
});

test("the escape state carries across reads", () => {
  const f = new EscapeFilter();
  expect(f.feed(b("a", 1))).toEqual({ guest: b("a"), events: [] });
  expect(f.feed(b("x"))).toEqual({ guest: b(), events: ["quit"] });
  expect(f.feed(b("x"))).toEqual({ guest: b("x"), events: [] }); // escape consumed: a plain x again
});

test("unknown keys after Ctrl-A are dropped; Ctrl-A c is the monitor switch; unsupported commands are reported", () => {
  const f = new EscapeFilter();
  expect(f.feed(b(1, "q", "r"))).toEqual({ guest: b("r"), events: [] });
  expect(f.feed(b(1, "c", 1, "s")).events).toEqual(["monitor", { unsupported: "s" }]);
});
