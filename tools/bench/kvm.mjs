#!/usr/bin/env node
// node tools/bench/kvm.mjs [--runs N] [--count N]
//
// Nested virtualization throughput (issue 15): the default guest on
// -cpu coreduo,+vmx (kvm_intel with shadow paging) and on
// -cpu coreduo,+vmx,+vmx-ept,+vmx-vpid (with EPT and VPID), runs alternating,
// loads Linux's kvm_intel and runs `kvm-hello -c COUNT`
// (tools/guest/kvm-hello/), which runs its payload COUNT times (29 exits to
// kvm-hello each: 28 I/O, one HLT) and prints the exits per second the guest's
// monotonic clock saw. One boot per run (--runs, default 3); prints each run's
// figure and the median of each configuration. Only RingZero: v86 and QEMU's TCG have no VMX. Each
// exit kvm-hello sees is one guest VM exit, KVM's handling in the guest kernel,
// the return to kvm-hello, its ioctl back in and a VM entry: the whole round
// trip a hypervisor pays. This is a benchmark, not a test.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const fail = (msg) => { console.error(`kvm.mjs: ${msg}`); process.exit(2); };
const opt = (name, d) => {
  const i = argv.indexOf(name);
  if (i < 0) return d;
  const v = argv[i + 1];
  if (!/^[1-9]\d*$/.test(v ?? "")) fail(`${name} needs a positive integer, not ${v}`);
  return Number(v);
};
for (let i = 0; i < argv.length; i += 2) if (argv[i] !== "--runs" && argv[i] !== "--count") fail(`unknown option ${argv[i]}`);
const runs = opt("--runs", 3);
const count = opt("--count", 100);

const IMAGES = join(ROOT, "public/images");
let manifest;
try { manifest = JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")); } catch { fail("no guest images: run npm run guest"); }
if (!manifest.kvm) fail("the guest images have no kvm-hello: run npm run guest");

const CONFIGS = [["shadow paging", "coreduo,+vmx"], ["EPT and VPID", "coreduo,+vmx,+vmx-ept,+vmx-vpid"]];

function once(cpu) {
  return new Promise((resolve, reject) => {
    const p = spawn("node", [join(ROOT, "bin/ringzero.mjs"), "-cpu", cpu, "-m", "128", "-nographic", "-no-reboot",
      "-kernel", join(IMAGES, "bzImage"), "-initrd", join(IMAGES, "initrd.img"), "-append", manifest.cmdline], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "", typed = false;
    const timer = setTimeout(() => { p.kill("SIGKILL"); reject(new Error("no result within 10 minutes")); }, 600_000);
    p.stdout.on("data", (d) => {
      out += d.toString("latin1");
      // The first prompt after the marker (ash follows it with a cursor query, ESC [ 6 n).
      const ready = out.indexOf(manifest.readyMarker);
      if (!typed && ready >= 0 && out.indexOf(manifest.prompt, ready) >= 0) {
        typed = true;
        p.stdin.write(`modprobe kvm_intel && kvm-hello -c ${count}\r`);
      }
      const m = /kvm-hello: (\d+) runs, (\d+) exits in (\d+) ms: (\d+) exits\/s/.exec(out);
      if (m) {
        clearTimeout(timer);
        p.stdin.write("poweroff -f\r");
        setTimeout(() => p.kill("SIGKILL"), 10_000).unref();
        resolve({ exits: Number(m[2]), ms: Number(m[3]), perSecond: Number(m[4]) });
      } else if (/kvm-hello: .*(failed|error|unexpected)/.test(out)) {
        clearTimeout(timer);
        p.kill("SIGKILL");
        reject(new Error(out.slice(-400)));
      }
    });
  });
}

const results = CONFIGS.map(() => []);
for (let i = 0; i < runs; i++) {
  for (const [c, [name, cpu]] of CONFIGS.entries()) {
    const r = await once(cpu);
    results[c].push(r);
    console.log(`run ${i + 1}/${runs}, ${name}: ${r.exits} exits in ${r.ms} ms, ${r.perSecond} exits/s (${(1e6 / r.perSecond).toFixed(0)} us per round trip)`);
  }
}
const medians = results.map((rs) => rs.map((r) => r.perSecond).sort((a, b) => a - b)[Math.floor(runs / 2)]);
for (const [c, [name, cpu]] of CONFIGS.entries()) {
  console.log(`median, ${name} (-cpu ${cpu}): ${medians[c]} exits/s (${(1e6 / medians[c]).toFixed(0)} us per exit round trip)`);
}
console.log(`EPT/shadow: ${(medians[1] / medians[0]).toFixed(2)}x the exit rate; kvm-hello -c ${count}, ${runs} run(s) each`);
