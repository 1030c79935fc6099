// ringzero's flags (web/cli/args.ts): each accepted flag with its QEMU meaning,
// and the errors for everything else.

import { describe, test, expect } from "vitest";
import { cpuName, parseArgs, parseCpu, parseMemSize, parseOptList, UsageError } from "../../web/cli/args";

const err = (argv: string[]) => {
  try { parseArgs(argv); } catch (e) { expect(e).toBeInstanceOf(UsageError); return (e as Error).message; }
  throw new Error(`accepted: ${argv.join(" ")}`);
};

describe("-m", () => {
  test("plain numbers are MiB; K/M/G suffixes; size=", () => {
    expect(parseMemSize("128")).toBe(128);
    expect(parseMemSize("128M")).toBe(128);
    expect(parseMemSize("128m")).toBe(128);
    expect(parseMemSize("1G")).toBe(1024);
    expect(parseMemSize("1.5G")).toBe(1536);
    expect(parseMemSize("65536K")).toBe(64);
    expect(parseMemSize("size=256M")).toBe(256);
    expect(parseMemSize("2048")).toBe(2048);
    expect(parseArgs(["-m", "1G"]).ramMB).toBe(1024);
    expect(parseArgs([]).ramMB).toBe(128);
  });
  test("bad sizes", () => {
    expect(() => parseMemSize("lots")).toThrow(/not a memory size/);
    expect(() => parseMemSize("1000K")).toThrow(/whole number of MiB/);
    expect(() => parseMemSize("0")).toThrow(/from 1 MiB to 2048 MiB/);
    expect(() => parseMemSize("4G")).toThrow(/from 1 MiB to 2048 MiB/);
    expect(() => parseMemSize("128M,slots=2,maxmem=1G")).toThrow(/only a size/);
    expect(err(["-m"])).toBe("-m needs an argument");
  });
});

describe("accepted flags", () => {
  test("-rtc clock=: host (rt is the same here) by default in real time, vm under -icount shift=N (QEMU's man page: vm for icount)", () => {
    expect(parseArgs([]).rtcClock).toBe("host");
    expect(parseArgs(["-icount", "shift=auto"]).rtcClock).toBe("host");
    expect(parseArgs(["-icount", "shift=4"]).rtcClock).toBe("vm");
    expect(parseArgs(["-rtc", "base=localtime,clock=rt"])).toMatchObject({ rtcBase: "localtime", rtcClock: "host" });
    expect(parseArgs(["-rtc", "clock=vm"]).rtcClock).toBe("vm");
    expect(parseArgs(["-rtc", "clock=vm", "-icount", "shift=0"]).rtcClock).toBe("vm");
    expect(err(["-rtc", "clock=rt", "-icount", "shift=0"])).toMatch(/^-rtc clock=host\|rt: -icount shift=0 is deterministic time/);
  });
  test("kernel, initrd, append, bios", () => {
    const c = parseArgs(["-kernel", "k", "-initrd", "i", "-append", "console=ttyS0 x", "-bios", "b.bin"]);
    expect(c).toMatchObject({ kernel: "k", initrd: "i", append: "console=ttyS0 x", bios: "b.bin" });
    expect(parseArgs(["--kernel", "k"]).kernel).toBe("k"); // QEMU takes -- too
  });
  test("disks: -hda -hdb -cdrom, a bare image, -drive, -snapshot", () => {
    const c = parseArgs(["-hdb", "b.img", "-cdrom", "cd.iso", "-hda", "a.img", "-snapshot"]);
    expect(c.drives).toEqual([
      { index: 0, path: "a.img", media: "disk", snapshot: true, readonly: false },
      { index: 1, path: "b.img", media: "disk", snapshot: true, readonly: false },
      { index: 2, path: "cd.iso", media: "cdrom", snapshot: true, readonly: true },
    ]);
    expect(parseArgs(["disk.img"]).drives[0]).toMatchObject({ index: 0, path: "disk.img", media: "disk" });
    const d = parseArgs(["-drive", "file=x.img,format=raw,if=ide,index=1,media=disk,snapshot=on", "-drive", "file=y.iso,media=cdrom"]);
    expect(d.drives).toEqual([
      { index: 0, path: "y.iso", media: "cdrom", snapshot: false, readonly: true },
      { index: 1, path: "x.img", media: "disk", snapshot: true, readonly: false },
    ]);
    expect(parseArgs(["-drive", "file=we,,ird.img"]).drives[0].path).toBe("we,ird.img");
  });
  test("images over HTTP: read-only, as QEMU's curl driver", () => {
    const c = parseArgs(["-drive", "file=https://h.example/d.img,readonly=on,if=ide,index=1", "-cdrom", "http://h.example/cd.iso", "-drive", "file=http://h.example/x.iso,media=cdrom"]);
    expect(c.drives).toEqual([
      { index: 0, path: "http://h.example/x.iso", media: "cdrom", snapshot: false, readonly: true },
      { index: 1, path: "https://h.example/d.img", media: "disk", snapshot: false, readonly: true },
      { index: 2, path: "http://h.example/cd.iso", media: "cdrom", snapshot: false, readonly: true },
    ]);
    // -snapshot keeps the guest's writes in memory, above the read-only image.
    expect(parseArgs(["-hda", "http://h.example/d.img", "-snapshot"]).drives[0]).toMatchObject({ snapshot: true, readonly: false });
    expect(parseArgs(["-drive", "file=http://h.example/d.img,snapshot=on"]).drives[0]).toMatchObject({ snapshot: true });
  });
  test("-boot", () => {
    expect(parseArgs(["-boot", "c"]).bootOrder).toBe("c");
    expect(parseArgs(["-boot", "d"]).bootOrder).toBe("d");
    expect(parseArgs(["-boot", "order=dc,menu=off"]).bootOrder).toBe("dc");
    expect(parseArgs(["-boot", "once=d"]).bootOrder).toBe("d");
  });
  test("console: -nographic, -serial, -debugcon, -display none, -nodefaults", () => {
    expect(parseArgs([]).serial).toEqual({ kind: "stdio" });
    expect(parseArgs(["-nographic"])).toMatchObject({ serial: { kind: "stdio" }, muxEscapes: true, noGraphics: true });
    expect(parseArgs(["-display", "none"]).noGraphics).toBe(false); // QEMU: still graphics=on
    expect(parseArgs(["-serial", "mon:stdio"]).serial).toEqual({ kind: "stdio", monitor: true }); // the monitor multiplexed (Ctrl-A c)
    expect(parseArgs(["-serial", "file:/tmp/s.txt"])).toMatchObject({ serial: { kind: "file", path: "/tmp/s.txt" }, muxEscapes: false });
    expect(parseArgs(["-serial", "none"]).serial).toEqual({ kind: "null" });
    expect(parseArgs(["-display", "none"]).serial).toEqual({ kind: "null" });
    expect(parseArgs(["-nodefaults"]).serial).toEqual({ kind: "null" });
    expect(parseArgs(["-display", "none", "-serial", "stdio"]).serial).toEqual({ kind: "stdio" });
    expect(parseArgs(["-debugcon", "file:d.txt"]).debugcon).toEqual({ kind: "file", path: "d.txt" });
    expect(parseArgs(["-serial", "none", "-debugcon", "stdio"]).debugcon).toEqual({ kind: "stdio" });
  });
  test("-no-reboot, isa-debug-exit and the flags that change nothing", () => {
    const c = parseArgs(["-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-accel", "tcg", "-machine", "pc",
      "-M", "pc-i440fx-7.2", "-cpu", "pentium2", "-vga", "std", "-parallel", "none", "-monitor", "none", "-display", "none"]);
    expect(c).toMatchObject({ noReboot: true, debugExit: true });
    expect(parseArgs([]).debugExit).toBe(false);
    expect(parseArgs(["-device", "isa-debug-exit,iobase=244,iosize=2"]).debugExit).toBe(true);
    expect(parseArgs(["-machine", "pc,accel=tcg"]).noReboot).toBe(false);
  });
  test("-no-hpet and -machine hpet=on|off, as QEMU's pc machine (an HPET by default)", () => {
    expect(parseArgs([]).hpet).toBe(true);
    expect(parseArgs(["-no-hpet"]).hpet).toBe(false);
    expect(parseArgs(["-machine", "pc,hpet=off"]).hpet).toBe(false);
    expect(parseArgs(["-machine", "pc,hpet=off", "-M", "pc,hpet=on"]).hpet).toBe(true);
    expect(() => parseArgs(["-machine", "pc,hpet=maybe"])).toThrow(/unsupported machine option "hpet"/);
  });
  test("-smp that means one CPU", () => {
    for (const v of ["1", "cpus=1", "1,sockets=1", "1,sockets=1,cores=1,threads=1", "cpus=1,maxcpus=1",
      "sockets=1", "sockets=1,dies=1,clusters=1,cores=1,threads=1"]) {
      expect(() => parseArgs(["-smp", v]), v).not.toThrow();
    }
  });
  test("-help and -version", () => {
    expect(parseArgs(["-help"]).help).toBe(true);
    expect(parseArgs(["--version"]).version).toBe(true);
  });
});

describe("debugging flags", () => {
  test("-s is -gdb tcp::1234; -gdb takes tcp::PORT and tcp:HOST:PORT; -S starts paused", () => {
    expect(parseArgs(["-s"]).gdb).toEqual({ host: "0.0.0.0", port: 1234 });
    expect(parseArgs(["-gdb", "tcp::4321"]).gdb).toEqual({ host: "0.0.0.0", port: 4321 });
    expect(parseArgs(["-gdb", "tcp:127.0.0.1:4321"]).gdb).toEqual({ host: "127.0.0.1", port: 4321 });
    expect(parseArgs(["-S"]).startPaused).toBe(true);
    expect(parseArgs([]).startPaused).toBe(false);
    expect(parseArgs([]).gdb).toBeNull();
  });
  test("the monitor: -monitor stdio alone, or multiplexed by -nographic and mon:stdio", () => {
    expect(parseArgs(["-monitor", "stdio", "-serial", "file:x"]).monitor).toBe("stdio");
    expect(parseArgs(["-nographic"]).monitor).toBe("mux");
    expect(parseArgs(["-serial", "mon:stdio"]).monitor).toBe("mux");
    expect(parseArgs(["-serial", "stdio"]).monitor).toBeNull();
    expect(parseArgs(["-monitor", "none"]).monitor).toBeNull();
  });
});

describe("errors (one line each)", () => {
  test.each([
    [["-frobnicate"], /^-frobnicate: unknown or unsupported option/],
    [["-gdb", "unix:/tmp/gdb.sock"], /^-gdb unix:\/tmp\/gdb.sock: the gdb stub listens on TCP only/],
    [["-gdb", "stdio"], /listens on TCP only: -gdb tcp::PORT or -gdb tcp:HOST:PORT$/],
    [["-gdb", "tcp::99999"], /port must be 1 to 65535/],
    [["-monitor", "stdio", "-serial", "stdio"], /^-monitor stdio: stdio is already used/],
    [["-monitor", "telnet::4444"], /the monitor is available on stdio only/],
    [["-display", "gtk"], /^-display gtk: the command line has no display/],
    [["-device", "e1000"], /the only device that can be added is isa-debug-exit/],
    [["-device", "isa-debug-exit"], /give iobase=0xf4/],
    [["-device", "isa-debug-exit,iobase=0x501"], /iobase=0xf4/],
    [["-accel", "kvm"], /only -accel tcg/],
    [["-machine", "q35"], /the only machine is pc/],
    [["-cpu", "qemu32"], /^-cpu qemu32: unsupported CPU model "qemu32" \(RingZero has pentium2, pentium3, pentium4, coreduo\)$/],
    [["-cpu", "core2duo,+nx"], /unsupported CPU model "core2duo"/],
    [["-cpu", "coreduo,+ssse3"], /^-cpu coreduo,\+ssse3: unsupported CPU feature "ssse3" \(RingZero can switch pae, nx, sse, sse2, pni, vmx, vme, vmx-ept, vmx-vpid, vmx-unrestricted-guest, mce, mca\)$/],
    [["-cpu", "pentium2,+nx,-lm"], /unsupported CPU feature "lm"/],
    [["-cpu", "pentium2,nx=maybe"], /"nx=maybe" is not a feature setting/],
    [["-cpu", "pentium2,nx"], /"nx" is not a feature setting/],
    [["-cpu"], /^-cpu needs an argument$/],
    [["-serial", "tcp::4444"], /supported backends are stdio/],
    [["-boot", "x"], /drive letters a to p/],
    [["-boot", "order=c,splash=x.bmp"], /unsupported option "splash"/],
    [["-initrd", "i"], /^-initrd is only allowed with -kernel$/],
    [["-append", "x"], /^-append is only allowed with -kernel$/],
    [["-nographic", "-debugcon", "stdio"], /stdio is already used by the serial port/],
    [["-hda", "a", "-hda", "b"], /IDE position 0 \(hda\) is already in use/],
    [["-drive", "file=a,format=qcow2"], /only format=raw/],
    [["-drive", "file=a,if=virtio"], /only if=ide/],
    [["-hda", "http://h.example/d.img"], /^drive http:\/\/h\.example\/d\.img: an image read over HTTP is read-only: give -drive \.\.\.,readonly=on or -snapshot/],
    [["HTTPS://h.example/d.img"], /an image read over HTTP is read-only/],
    [["-drive", "file=http://h.example/d.img,index=1"], /an image read over HTTP is read-only/],
    [["-cdrom", "http://h.example/cd.iso", "-icount", "shift=0,rr=record,rrfile=r.rr"], /^-icount rr=record: an image read over HTTP \(http:\/\/h\.example\/cd\.iso\) is not supported with record\/replay$/],
    [["-incoming", "tcp:0:4444"], /^-incoming tcp:0:4444: only file:PATH is supported/],
    [["-incoming", "file:"], /^-incoming file:: only file:PATH is supported/],
    [["-incoming", "file:s.rz", "-icount", "shift=0,rr=record,rrfile=r.rr"], /^-icount rr=record: a recording starts at power-on; it cannot start from -incoming$/],
    [["-kernel"], /^-kernel needs an argument$/],
    [["-smp", "2"], /^-smp 2: 2 CPUs; SMP is not supported \(RingZero has one CPU: -smp 1\)$/],
    [["-smp", "cpus=4"], /^-smp cpus=4: 4 CPUs; SMP is not supported/],
    [["-smp", "1,maxcpus=2"], /^-smp 1,maxcpus=2: 2 CPUs; SMP is not supported/],
    [["-smp", "sockets=2"], /^-smp sockets=2: 2 CPUs; SMP is not supported/],
    [["-smp", "1,cores=2"], /SMP is not supported/],
    [["-smp", "1,threads=2,sockets=1"], /SMP is not supported/],
    [["-smp", "0"], /^-smp 0: cpus must be a positive number/],
    [["-smp", "two"], /^-smp two: cpus must be a positive number/],
    [["-smp", "1,nodes=1"], /^-smp 1,nodes=1: unsupported option "nodes"/],
    [["-smp"], /^-smp needs an argument$/],
  ])("%j", (argv, re) => {
    const msg = err(argv as string[]);
    expect(msg).toMatch(re);
    expect(msg).not.toContain("\n");
  });
});

test("QEMU option lists", () => {
  expect([...parseOptList("isa-debug-exit,iobase=0xf4", "driver")]).toEqual([["driver", "isa-debug-exit"], ["iobase", "0xf4"]]);
  expect([...parseOptList("file=a,,b,snapshot", "")]).toEqual([["file", "a,b"], ["snapshot", "on"]]);
});

describe("-cpu", () => {
  const p2 = { model: "pentium2", pae: true, nx: false, sse: false, sse2: false, pni: false, vmx: false, vme: false, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true };
  test("coreduo is the default; pentium2 has PAE and no NX, as QEMU's model", () => {
    expect(parseArgs([]).cpu).toEqual(parseCpu("coreduo"));
    expect(parseArgs(["-cpu", "pentium2"]).cpu).toEqual(p2);
    expect(parseArgs(["-cpu", "pentium2,+pae,-nx"]).cpu).toEqual(p2);
  });
  test("pentium3, pentium4 and coreduo: QEMU's SSE generations; coreduo has NX", () => {
    expect(parseCpu("pentium3")).toEqual({ ...p2, model: "pentium3", sse: true });
    expect(parseCpu("pentium4")).toEqual({ ...p2, model: "pentium4", sse: true, sse2: true });
    expect(parseCpu("coreduo")).toEqual({ model: "coreduo", pae: true, nx: true, sse: true, sse2: true, pni: true, vmx: false, vme: true, "vmx-ept": false, "vmx-vpid": false, "vmx-unrestricted-guest": false, mce: true, mca: true });
  });
  test("vme: on in coreduo (a Core Duo has it), off in the models compared with QEMU's TCG, which lacks it", () => {
    expect(parseCpu("pentium2,+vme")).toEqual({ ...p2, vme: true });
    expect(parseCpu("coreduo,-vme").vme).toBe(false);
    expect(cpuName(parseCpu("pentium3,+vme"))).toBe("pentium3,+vme");
    expect(cpuName(parseCpu("coreduo,-vme"))).toBe("coreduo,-vme");
  });
  test("vmx-ept, vmx-vpid, vmx-unrestricted-guest: QEMU's names of the secondary controls, off unless named", () => {
    expect(parseCpu("coreduo,+vmx,+vmx-ept,+vmx-vpid,+vmx-unrestricted-guest")).toMatchObject({ vmx: true, "vmx-ept": true, "vmx-vpid": true, "vmx-unrestricted-guest": true });
    expect(cpuName(parseCpu("coreduo,+vmx,vmx-ept=on"))).toBe("coreduo,+vmx,+vmx-ept");
    expect(() => parseCpu("coreduo,+vmx-apicv")).toThrow(/unsupported CPU feature "vmx-apicv"/);
  });
  test("QEMU's feature syntax: +f, -f, f=on|off, the last one winning; sse3 is pni", () => {
    expect(parseCpu("pentium2,+nx")).toEqual({ ...p2, nx: true });
    expect(parseCpu("pentium2,-pae")).toEqual({ ...p2, pae: false });
    expect(parseCpu("pentium2,+pae,+nx")).toEqual({ ...p2, nx: true });
    expect(parseCpu("pentium2,nx=on,pae=off")).toEqual({ ...p2, pae: false, nx: true });
    expect(parseCpu("pentium2,+nx,-nx").nx).toBe(false);
    expect(parseCpu("coreduo,-sse3").pni).toBe(false);
    expect(parseCpu("coreduo,sse2=off,-nx")).toMatchObject({ sse: true, sse2: false, nx: false });
  });
  test("+vmx adds VT-x (off by default in every model)", () => {
    expect(parseCpu("pentium2").vmx).toBe(false);
    expect(parseCpu("coreduo").vmx).toBe(false);
    expect(parseCpu("pentium2,+vmx").vmx).toBe(true);
    expect(parseCpu("pentium2,vmx=on,-vmx").vmx).toBe(false);
    expect(cpuName(parseCpu("pentium2,+vmx,+nx"))).toBe("pentium2,+nx,+vmx");
  });
  test("cpuName gives the model and only the features that differ from it", () => {
    expect(cpuName(parseCpu("pentium2,+pae,-nx"))).toBe("pentium2");
    expect(cpuName(parseCpu("pentium2,+nx,-pae"))).toBe("pentium2,-pae,+nx");
    expect(cpuName(parseCpu("coreduo,+nx"))).toBe("coreduo");
    expect(cpuName(parseCpu("coreduo,-nx,-sse3"))).toBe("coreduo,-nx,-pni");
  });
  test("parseArgs carries the model and features", () => {
    expect(parseArgs(["-cpu", "pentium2,+nx,-pae"]).cpu).toEqual({ ...p2, pae: false, nx: true });
    expect(parseArgs(["-cpu", "pentium4"]).cpu.model).toBe("pentium4");
  });
});
