// Privilege-level transfers: IRET to ring 3, interrupt/trap/16-bit gates from
// ring 3 with the TSS stack switch, call gates with parameters, conforming code,
// and the #GP cases (SDM vol. 3 §5.8, §6.12). Differential against QEMU plus
// explicit checks of the frames.
import { test, expect } from "vitest";
import { assemble, runRingZero, runQemu } from "./harness";

test("ring: ring 0 <-> ring 3 through IRET, gates and call gates (same as qemu)", async () => {
  const bin = assemble("ring");
  const rz = await runRingZero(bin);
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  const out = rz.output;
  // IRET to ring 3 nulls DS/ES/GS (DPL 0) and keeps FS (DPL 3).
  expect(out).toContain("r3 cs=001b ss=0023 ds=0000 es=0000 fs=0023 gs=0000 esp=00009000\n");
  // Interrupt gate from ring 3: SS:ESP from TSS0 (10h:6000h), 5-dword frame, IF cleared.
  expect(out).toMatch(/int 80 cs=0008 ss:esp=0010:00005fec frame eip=[0-9a-f]{8} cs=0000001b efl=00003002 esp=00009000 ss=00000023/);
  expect(out).toMatch(/int 84 ss:esp=0010:00005ff6 frame ip=[0-9a-f]{4} cs=001b fl=3002 sp=9000 ss=0023\n/);
  expect(out).toContain("#0d e=0000040a @001b:"); // INT 81h, gate DPL 0
  expect(out).toContain("#0d e=0000001a @001b:"); // INT3, gate DPL 0
  expect(out).toContain("#0d e=00000010 @001b:"); // MOV DS, DPL 0 data at CPL 3
  // Call gate: new stack from the TSS, caller SS:ESP, parameters copied in order.
  expect(out).toMatch(/cg32 cs=0008 ss:esp=0010:00005fe8 frame [0-9a-f]{8} 0000001b bbbb0002 aaaa0001 00008ff8 00000023\n/);
  expect(out).toContain("r3 after cg32 esp=00009000 ds=0000 es=0000 fs=0023 gs=0023\n");
  expect(out).toMatch(/cg16 ss:esp=0010:00005ff6 frame [0-9a-f]{4} 001b cc03 8ffe 0023\n/);
  expect(out).toContain("conf cs=0053 ss=0023\n");
  // #TS(0) for a null SS0 in the TSS, delivered through a task gate; the handler
  // task returns to the ring-3 task, whose INT then succeeds.
  expect(out).toContain("#TS task e=00000000 link=0028 saved cs=001b ss=0023\n");
  expect(out).toContain("r3 after #TS\n");
  expect(out).toMatch(/#0d e=00000000 @001b:[0-9a-f]{8}\n#0d e=00000000 @001b:[0-9a-f]{8}\nr3 iopl0 efl=00000002\n/); // CLI, STI
  expect(out).toContain("finish cs=0008 ss=0010\nreal mode again\n");
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});

test("ring_sysenter: SYSENTER/SYSEXIT between ring 3 and ring 0 (same as qemu)", async () => {
  const bin = assemble("ring_sysenter");
  // Until WRMSR exists here, preset IA32_SYSENTER_CS/ESP/EIP (state.ts OFF_SYSENTER_*,
  // 0x258/0x25c/0x260 in the CPU state block) to what the ROM writes with WRMSR.
  const rz = await runRingZero(bin, {
    setup: (m) => {
      const s = m.cpuState();
      s.setUint32(0x258, 0x08, true);
      s.setUint32(0x25c, 0x6800, true);
      s.setUint32(0x260, 0xfff00, true);
    },
  });
  expect(rz.stop).toBe("exit");
  expect(rz.exitCode).toBe(1);
  expect(rz.output).toMatch(/^r3 sysenter\nsysenter cs=0008 ss=0010 esp=00006800 efl=00003002\nr3 after sysexit cs=001b ss=0023 esp=00008800\n#0d e=00000000 @001b:[0-9a-f]{8}\nreal mode again\n$/);
  const q = runQemu(bin);
  expect(q.output).toBe(rz.output);
});
