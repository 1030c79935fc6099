// QEMU's human monitor (HMP) over any text stream: the subset a lab uses to look
// at an i386 machine, with QEMU's output formats so that what students and
// scripts parse from qemu-system-i386 reads the same here. No DOM and no Node
// APIs: web/cli wires it to the terminal (-monitor stdio, Ctrl-A c), the page
// may give it a console pane.
//
//   info registers  CPU state (EAX=... lines, segment caches, GDT/IDT, CR, DR, x87)
//   info mem        mapped linear ranges with size and protection (page-table walk)
//   info tlb        each mapped page: linear, physical, PTE bits
//   info pic        the two 8259As
//   info vmcs       the current VMCS decoded (web/host/vmcs.ts; QEMU has no VMX
//                   in TCG and no such command: RingZero's own, for VMX labs)
//   x /Nfu addr     linear memory; xp /Nfu addr physical memory
//                   formats x d u o c i, units b h w g;
//                   format and unit carry over to the next x/xp, as in QEMU.
//                   x/i disassembles (web/host/disasm.ts) in the code size of the
//                   CPU's CS as QEMU 7.2 does (CS.D in protected mode, 16-bit in
//                   real and virtual-8086 mode; the unit letter does not choose it),
//                   one line per instruction laid out as QEMU's capstone dump:
//                   "0x%08x: " then " %02x" per byte (8 a line, the rest on
//                   continuation lines), padding, "  %-8s %s" mnemonic and operands.
//                   Addresses, lengths and bytes are QEMU's; the mnemonic and the
//                   operands differ: Intel syntax as ndisasm writes it ("mov esi,0x1")
//                   where QEMU's capstone writes AT&T ("movl $0x1, %esi"). What the
//                   Pentium II does not decode is ".byte 0xNN", one byte, as QEMU
//                   prints what capstone cannot decode; capstone knows later ISAs
//                   (SSE2 PSUBQ, 0F FB) that are .byte here, so lengths differ there.
//   migrate file:PATH  save a snapshot of the machine (web/host/snapshot.ts) to
//                   PATH; the machine goes on. Other URIs (tcp:, exec:) are refused.
//   nmi             the machine's NMI input, as QEMU's x86_nmi: through the local
//                   APIC's LVT LINT1 (NMI only when software programmed it so;
//                   masked after reset) or, with the APIC disabled in
//                   IA32_APIC_BASE, straight to the CPU
//   system_powerdown  press the ACPI power button (PM1 PWRBTN_STS and the SCI,
//                   asm/dev/acpipm.ts), as QEMU's on the pc machine: a guest
//                   whose ACPI button driver and userspace act on it shuts down
//   stop, cont (c), system_reset, quit (q), help
//
//   screendump FILE  the VGA picture as a binary PPM (P6), as QEMU writes it
//                   (web/host/vgarender.ts); the text cursor is left out (QEMU
//                   blinks it, so its screendump has it or not by the clock)
//
// Not here: block and
// network commands, savevm/loadvm, `info` topics other than the above;
// they get QEMU's "unknown command" answer. Differences from QEMU: no EFER line
// (a Pentium II has no EFER; QEMU prints one for every x86 CPU).
//
//   const mon = new Monitor(machine, host); mon.start(); terminal.onData((b) => mon.input(b));

import type { Machine, SegmentRegister } from "./machine";
import { decodeOne } from "./disasm";
import { OFF_XMM, OFF_MXCSR } from "./cpustate";
import { ppm } from "./vgarender";
import { readVmcs, vmcsText } from "./vmcs";

/** What the monitor needs from the host that runs the machine. */
export interface MonitorHost {
  /** Text to the terminal ("\n" line ends; the host converts when it must). */
  write(text: string): void;
  /** stop: the machine must not run until cont. */
  stop(): void;
  cont(): void;
  /** system_reset: reset the machine and start the guest again (firmware, kernel). */
  reset(): void;
  /** nmi: inject an NMI (Machine.nmi) and run a halted machine again; returns
   *  the text to show (why it cannot, or ""). Absent: the monitor calls
   *  Machine.nmi itself. */
  nmi?(): string;
  /** system_powerdown: press the power button (Machine.powerButton) and run a
   *  halted machine again; returns the text to show. Absent: the monitor calls
   *  Machine.powerButton itself. */
  powerdown?(): string;
  /** quit: the host ends. */
  quit(): void;
  /** migrate file:PATH: write a snapshot to PATH; resolves to the text to show
   *  (QEMU prints nothing on success), rejects with the reason it failed.
   *  Absent: the host cannot save snapshots. */
  migrate?(path: string): Promise<string>;
  /** screendump FILE: write `data` to PATH; rejects with the reason it failed.
   *  Absent: the host has no files (screendump says so). */
  writeFile?(path: string, data: Uint8Array): Promise<void>;
  /** false: the machine has no display device (QEMU's -vga none, -nodefaults);
   *  screendump answers as QEMU does. Absent: there is one. */
  display?: boolean;
}

export const PROMPT = "(qemu) ";

interface Command { names: string[]; args: string; help: string; run(arg: string): string | Promise<string> }

const hex = (v: number, digits: number) => (v >>> 0).toString(16).padStart(digits, "0");

export class Monitor {
  // x/xp format and unit carry over from one use to the next (QEMU's last_format, last_size).
  private lastFormat = "x";
  private lastSize = 4;
  private line = "";
  private lastWasCr = false;
  private ended = false; // after quit: no more prompts
  private readonly commands: Command[];

  constructor(private readonly m: Machine, private readonly host: MonitorHost, private readonly version = "RingZero") {
    this.commands = [
      { names: ["cont", "c"], args: "", help: "resume emulation", run: () => { this.host.cont(); return ""; } },
      { names: ["help", "?"], args: "[cmd]", help: "show the help", run: () => this.help() },
      { names: ["info"], args: "[subcommand]", help: "show various information about the system state", run: (a) => this.info(a) },
      { names: ["migrate"], args: "[-d] uri", help: "migrate to URI: file:PATH saves a snapshot of the machine to PATH", run: (a) => this.migrate(a) },
      { names: ["nmi"], args: "", help: "inject an NMI", run: () => { if (this.host.nmi) return this.host.nmi(); this.m.nmi(); return ""; } },
      { names: ["quit", "q"], args: "", help: "quit the emulator", run: () => { this.ended = true; this.host.quit(); return ""; } },
      { names: ["screendump"], args: "filename", help: "save screen from graphical console to PPM image 'filename'", run: (a) => this.screendump(a) },
      { names: ["stop"], args: "", help: "stop emulation", run: () => { this.host.stop(); return ""; } },
      { names: ["system_powerdown"], args: "", help: "send system power down event", run: () => { if (this.host.powerdown) return this.host.powerdown(); this.m.powerButton(); return ""; } },
      { names: ["system_reset"], args: "", help: "reset the system", run: () => { this.host.reset(); return ""; } },
      { names: ["x"], args: "/fmt addr", help: "virtual memory dump starting at 'addr'", run: (a) => this.dump(a, false) },
      { names: ["xp"], args: "/fmt addr", help: "physical memory dump starting at 'addr'", run: (a) => this.dump(a, true) },
    ];
  }

  /** The greeting and the first prompt. */
  start(): void { this.host.write(`${this.version} monitor - type 'help' for more information\n${PROMPT}`); }

  /** Keys from the terminal: a line is echoed, edited with backspace, run on Enter. */
  input(bytes: Uint8Array): void {
    for (const b of bytes) {
      const cr = this.lastWasCr;
      this.lastWasCr = b === 0x0d;
      if (b === 0x0d || b === 0x0a) {
        if (b === 0x0a && cr) continue; // CR LF is one Enter
        const line = this.line;
        this.line = "";
        const out = this.execute(line);
        if (typeof out === "string") { this.host.write("\n" + out + (this.ended ? "" : PROMPT)); continue; }
        // A command that takes a while (migrate): its output and the prompt when it ends.
        this.host.write("\n");
        void out.then((text) => { this.host.write(text + (this.ended ? "" : PROMPT)); });
      } else if (b === 0x7f || b === 0x08) {
        if (this.line.length) { this.line = this.line.slice(0, -1); this.host.write("\b \b"); }
      } else if (b >= 0x20 && b < 0x7f) {
        this.line += String.fromCharCode(b);
        this.host.write(String.fromCharCode(b));
      }
    }
  }

  /** Run one command line; returns its output (a promise for a command that
   *  takes a while: it never rejects, a failure is its message). */
  execute(line: string): string | Promise<string> {
    const text = line.trim();
    if (text === "") return "";
    const m = /^(\S+?)(?=\s|\/|$)\s*(.*)$/.exec(text)!;
    const cmd = this.commands.find((c) => c.names.includes(m[1]));
    if (!cmd) return `unknown command: '${m[1]}'\n`;
    return cmd.run(m[2]);
  }

  private migrate(arg: string): string | Promise<string> {
    const uri = arg.replace(/^(-[dr]\s+)+/, "").trim();
    if (!this.host.migrate) return "migrate is not supported here\n";
    if (uri === "") return "migrate: a URI is required (file:PATH)\n";
    if (!uri.startsWith("file:")) return `migrate: ${uri.split(":")[0]}: only file:PATH is supported\n`;
    const path = uri.slice(5);
    if (path === "") return "migrate: file: needs a path\n";
    return this.host.migrate(path).then((t) => t, (e: unknown) => `Error: ${e instanceof Error ? e.message : String(e)}\n`);
  }

  private screendump(arg: string): string | Promise<string> {
    const path = arg.trim();
    if (path === "") return "screendump: filename expected\nTry \"help screendump\" for more information\n";
    if (this.host.display === false) return "Error: There is no console to take a screendump from\n";
    if (!this.host.writeFile) return "screendump is not supported here (no files)\n";
    const img = this.m.vgaImage();
    if (img.mode === "blank") return "Error: the VGA display is off (attribute controller: palette address source clear)\n";
    return this.host.writeFile(path, ppm(img)).then(() => "", (e: unknown) => `Error: ${e instanceof Error ? e.message : String(e)}\n`);
  }

  private help(): string {
    return this.commands.map((c) => `${c.names.join("|")} ${c.args} -- ${c.help}\n`).join("") +
      "info registers|mem|tlb|pic|vmcs -- the CPU state, mapped memory, page table entries, interrupt controllers, the current VMCS\n";
  }

  private info(arg: string): string {
    switch (arg.trim()) {
      case "registers": return "\nCPU#0\n" + this.registers();
      case "mem": return this.mem();
      case "tlb": return this.tlb();
      case "pic": return this.pic();
      case "vmcs": {
        const v = readVmcs(this.m);
        return v ? vmcsText(v) : `no current VMCS (VMX ${this.m.vmx().mode})\n`;
      }
      case "": return "info registers|mem|tlb|pic|vmcs\n";
      default: return `unknown command: 'info ${arg.trim()}'\n`;
    }
  }

  // ---- info registers (QEMU's x86_cpu_dump_state layout for a 32-bit CPU) ----

  private registers(): string {
    const r = this.m.registers();
    const g = r.gpr; // EAX ECX EDX EBX ESP EBP ESI EDI
    const fl = r.eflags;
    const bit = (mask: number, c: string) => (fl & mask ? c : "-");
    const flags = bit(0x400, "D") + bit(0x800, "O") + bit(0x80, "S") + bit(0x40, "Z") + bit(0x10, "A") + bit(4, "P") + bit(1, "C");
    const pe = (r.cr0 & 1) !== 0;
    let s = `EAX=${hex(g[0], 8)} EBX=${hex(g[3], 8)} ECX=${hex(g[1], 8)} EDX=${hex(g[2], 8)}\n` +
      `ESI=${hex(g[6], 8)} EDI=${hex(g[7], 8)} EBP=${hex(g[5], 8)} ESP=${hex(g[4], 8)}\n` +
      `EIP=${hex(r.eip, 8)} EFL=${hex(fl, 8)} [${flags}] CPL=${r.cpl} II=${r.inhibitIrq ? 1 : 0} A20=${r.a20 ? 1 : 0} SMM=0 HLT=${r.halted ? 1 : 0}\n`;
    const segs: [string, SegmentRegister][] = [["ES", r.es], ["CS", r.cs], ["SS", r.ss], ["DS", r.ds], ["FS", r.fs], ["GS", r.gs], ["LDT", r.ldtr], ["TR", r.tr]];
    for (const [name, sr] of segs) s += segmentLine(name, sr, pe) + "\n";
    s += `GDT=     ${hex(r.gdtr.base, 8)} ${hex(r.gdtr.limit, 8)}\n`;
    s += `IDT=     ${hex(r.idtr.base, 8)} ${hex(r.idtr.limit, 8)}\n`;
    s += `CR0=${hex(r.cr0, 8)} CR2=${hex(r.cr2, 8)} CR3=${hex(r.cr3, 8)} CR4=${hex(r.cr4, 8)}\n`;
    s += `DR0=${hex(r.dr[0], 8)} DR1=${hex(r.dr[1], 8)} DR2=${hex(r.dr[2], 8)} DR3=${hex(r.dr[3], 8)} \n`;
    s += `DR6=${hex(r.dr[6], 8)} DR7=${hex(r.dr[7], 8)}\n`;
    // QEMU prints EFER for every model; RingZero's has one only with NX.
    if (r.efer !== undefined) s += `EFER=${hex16(r.efer)}\n`;
    return s + this.fpu();
  }

  private fpu(): string {
    const f = this.m.fpuImage(), v = new DataView(f.buffer, f.byteOffset, f.byteLength);
    const fcw = v.getUint32(80, true), fsw = v.getUint32(84, true), ftag = v.getUint32(88, true);
    const top = (fsw >> 11) & 7;
    // QEMU shows the abridged tag (bit set: register not empty) and the registers in physical order.
    let abridged = 0;
    for (let p = 0; p < 8; p++) if (((ftag >> (p * 2)) & 3) !== 3) abridged |= 1 << p;
    // MXCSR and XMM0-7 from the CPU block; 1F80H and zeros on a model without SSE
    // (which QEMU lists for every model).
    const st = this.m.cpuState();
    let s = `FCW=${hex(fcw, 4)} FSW=${hex(fsw, 4)} [ST=${top}] FTW=${hex(abridged, 2)} MXCSR=${hex(st.getUint32(OFF_MXCSR, true), 8)}\n`;
    for (let p = 0; p < 8; p++) {
      const i = (p - top + 8) & 7; // the ST(i) that physical register p is
      const mant = v.getBigUint64(i * 10, true), se = v.getUint16(i * 10 + 8, true);
      s += `FPR${p}=${mant.toString(16).padStart(16, "0")} ${hex(se, 4)}${p & 1 ? "\n" : " "}`;
    }
    // As QEMU: the high quadword, then the low one.
    const q = (o: number) => st.getBigUint64(o, true).toString(16).padStart(16, "0");
    for (let i = 0; i < 8; i++) s += `XMM${String(i).padStart(2, "0")}=${q(OFF_XMM + i * 16 + 8)} ${q(OFF_XMM + i * 16)}${i & 1 ? "\n" : " "}`;
    return s;
  }

  // ---- info mem / info tlb: a walk of the page tables in physical memory ----
  // 32-bit paging, or PAE paging (CR4.PAE) from the PDPT at CR3 as QEMU's
  // monitor reads it (from memory, not the CPU's PDPTE registers).

  /** Each present page: linear address, the entry that maps it (PTE, or PDE
   *  for a 4 MiB / 2 MiB page; 64 bits), the mask QEMU prints its address
   *  with, and its size; the rights combine PDE and PTE. */
  private *pages(): Generator<{ lin: number; entry: bigint; mask: bigint; rights: number; size: number }> {
    const r = this.m.registers();
    if (!(r.cr0 & 0x80000000)) return;
    if (r.cr4 & 0x20) { yield* this.pagesPae(r.cr3); return; }
    const pse = (r.cr4 & 0x10) !== 0;
    const pd = this.words((r.cr3 & 0xfffff000) >>> 0);
    for (let i = 0; i < 1024; i++) {
      const pde = pd[i];
      if (!(pde & 1)) continue;
      if (pde & 0x80 && pse) { yield { lin: i * 0x400000, entry: BigInt(pde), mask: 0xffc00000n, rights: pde, size: 0x400000 }; continue; }
      const pt = this.words((pde & 0xfffff000) >>> 0);
      for (let j = 0; j < 1024; j++) {
        const pte = pt[j];
        if (pte & 1) yield { lin: i * 0x400000 + j * 0x1000, entry: BigInt(pte), mask: 0xfffff000n, rights: pde & pte, size: 0x1000 };
      }
    }
  }

  /** PAE: 4 PDPTEs, 512 64-bit PDEs and PTEs per table (SDM vol. 3 §4.4). QEMU
   *  prints a 2 MiB page's PDE under the mask ~(2^20 - 1) and a PTE without its
   *  bit 7 under ~FFFh, XD (bit 63) included in both. */
  private *pagesPae(cr3: number): Generator<{ lin: number; entry: bigint; mask: bigint; rights: number; size: number }> {
    const ADDR = 0xffffff000n; // bits 35:12 (MAXPHYADDR 36)
    const table = (phys: bigint) => (phys < 1n << 32n ? this.quads(Number(phys)) : []);
    const pdpt = this.quads((cr3 & 0xffffffe0) >>> 0, 4);
    for (let i = 0; i < 4; i++) {
      if (!(pdpt[i] & 1n)) continue;
      const pd = table(pdpt[i] & ADDR);
      for (let j = 0; j < pd.length; j++) {
        const pde = pd[j];
        if (!(pde & 1n)) continue;
        const lin = i * 0x40000000 + j * 0x200000;
        if (pde & 0x80n) { yield { lin, entry: pde, mask: ~0xfffffn & 0xffffffffffffffffn, rights: Number(pde & 7n), size: 0x200000 }; continue; }
        const pt = table(pde & ADDR);
        for (let k = 0; k < pt.length; k++) {
          const pte = pt[k];
          if (pte & 1n) yield { lin: lin + k * 0x1000, entry: pte & ~0x80n, mask: ~0xfffn & 0xffffffffffffffffn, rights: Number(pde & pte & 7n), size: 0x1000 };
        }
      }
    }
  }

  private words(phys: number): Uint32Array {
    const b = this.m.readPhysical(phys, 4096);
    const out = new Uint32Array(1024);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < b.length >> 2; i++) out[i] = v.getUint32(i * 4, true);
    return out;
  }

  /** `n` 64-bit entries at `phys` (what is not RAM or ROM reads as 0: not present). */
  private quads(phys: number, n = 512): BigUint64Array {
    const b = this.m.readPhysical(phys, n * 8);
    const out = new BigUint64Array(n);
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < b.length >> 3; i++) out[i] = v.getBigUint64(i * 8, true);
    return out;
  }

  private mem(): string {
    if (!(this.m.registers().cr0 & 0x80000000)) return "PG disabled\n";
    let s = "";
    let start = -1, end = 0, prot = 0;
    const flush = () => {
      if (start >= 0) s += `${hex16(start)}-${hex16(end)} ${hex16(end - start)} ${prot & 4 ? "u" : "-"}r${prot & 2 ? "w" : "-"}\n`;
    };
    for (const p of this.pages()) {
      const pr = p.rights & 6; // U/S and R/W
      if (start >= 0 && p.lin === end && pr === prot) { end += p.size; continue; }
      flush();
      start = p.lin; end = p.lin + p.size; prot = pr;
    }
    flush();
    return s;
  }

  private tlb(): string {
    if (!(this.m.registers().cr0 & 0x80000000)) return "PG disabled\n";
    let s = "";
    for (const p of this.pages()) {
      const e = p.entry;
      const b = (m: bigint, c: string) => (e & m ? c : "-");
      // X: execute-disable (bit 63; only PAE entries have it)
      const bits = b(1n << 63n, "X") + b(0x100n, "G") + b(0x80n, "P") + b(0x40n, "D") + b(0x20n, "A") + b(0x10n, "C") + b(0x8n, "T") + b(0x4n, "U") + b(0x2n, "W");
      s += `${hex16(p.lin)}: ${(e & p.mask).toString(16).padStart(16, "0")} ${bits}\n`;
    }
    return s;
  }

  private pic(): string {
    let s = "";
    for (const chip of [1, 0]) {
      const p = this.m.picRegisters(chip);
      s += `pic${chip}: irr=${hex(p.irr, 2)} imr=${hex(p.imr, 2)} isr=${hex(p.isr, 2)} hprio=${p.priority} irq_base=${hex(p.base, 2)} rr_sel=${p.readIsr ? 1 : 0} elcr=${hex(p.elcr, 2)} fnm=${p.specialFullyNested ? 1 : 0}\n`;
    }
    return s;
  }

  // ---- x / xp ----

  private dump(arg: string, physical: boolean): string {
    let rest = arg.trim();
    let count = 1;
    if (rest.startsWith("/")) {
      const m = /^\/(\d*)([a-z]*)\s*(.*)$/.exec(rest);
      if (!m) return `invalid format\nTry "help ${physical ? "xp" : "x"}" for more information\n`;
      if (m[1] !== "") count = Number(m[1]);
      for (const c of m[2]) {
        if ("xduoci".includes(c)) this.lastFormat = c;
        else if ("bhwg".includes(c)) this.lastSize = { b: 1, h: 2, w: 4, g: 8 }[c]!;
        else return `invalid char in format: '${c}'\nTry "help ${physical ? "xp" : "x"}" for more information\n`;
      }
      rest = m[3];
    }
    const addr = this.expression(rest);
    if (typeof addr === "string") return `${addr}\nTry "help ${physical ? "xp" : "x"}" for more information\n`;
    const format = this.lastFormat;
    if (format === "i") return this.disassembly(addr, count, physical);
    // QEMU dumps count units of the last size; 'c' shows each of their bytes.
    const total = this.lastSize * count;
    const size = format === "c" ? 1 : this.lastSize;
    const digits = format === "x" ? size * 2 : format === "o" ? Math.ceil((size * 8) / 3) : Math.floor((size * 8 * 10 + 32) / 33);
    // QEMU's lines hold 8 bytes of byte units, 16 of anything larger
    const line = this.lastSize === 1 ? 8 : 16;
    let s = "";
    for (let off = 0; off < total; off += line) {
      const a = (addr + off) >>> 0;
      s += physical ? `${hex16(a)}:` : `${hex(a, 8)}:`;
      const n = Math.min(line, total - off);
      const b = physical ? this.m.readPhysical(a, n) : this.m.readLinear(a, n);
      if (b.length < n) return s + " Cannot access memory\n";
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = 0; i < n; i += size) {
        const x = size === 8 ? v.getBigUint64(i, true) : BigInt(size === 4 ? v.getUint32(i, true) : size === 2 ? v.getUint16(i, true) : v.getUint8(i));
        s += formatItem(x, size, format, digits);
      }
      s += "\n";
    }
    return s;
  }

  /** x/i, xp/i: `count` instructions from `addr`; an instruction whose bytes
   *  cannot be read ends the listing with QEMU's "unable to read memory". */
  private disassembly(addr: number, count: number, physical: boolean): string {
    const r = this.m.registers();
    const v86 = (r.eflags & 0x20000) !== 0;
    const bits: 16 | 32 = (r.cr0 & 1) && !v86 && (r.cs.attributes & 0x4000) ? 32 : 16;
    let s = "";
    let pc = addr >>> 0;
    for (let n = 0; n < count; n++) {
      const bytes = physical ? this.m.readPhysical(pc, 16) : this.m.readLinear(pc, 16);
      let d = decodeOne(bytes, pc, bits);
      if (!d) return s + `0x${hex(pc, 8)}: unable to read memory\n`;
      // What does not decode is one byte, as QEMU's capstone skips it (".byte 0xff").
      if (d.text === "(bad)") d = { address: pc, length: 1, bytes: bytes.slice(0, 1), text: `.byte 0x${hex(bytes[0], 2)}` };
      const [mnemonic, operands] = splitMnemonic(d.text);
      s += `0x${hex(pc, 8)}: `;
      for (let i = 0; i < Math.min(8, d.length); i++) s += " " + hex(d.bytes[i], 2);
      s += " ".repeat(Math.max(0, 8 - d.length) * 3) + `  ${mnemonic.padEnd(8)} ${operands}\n`;
      for (let i = 8; i < d.length; i += 8) {
        s += `0x${hex(pc + i, 8)}: `;
        for (let j = i; j < Math.min(i + 8, d.length); j++) s += " " + hex(d.bytes[j], 2);
        s += "\n";
      }
      pc = (pc + d.length) >>> 0;
    }
    return s;
  }

  /** A number (0x hex, 0 octal, decimal), a register ($eax, $eip ...) or a sum
   *  of them with + and -; a string is an error message. */
  private expression(text: string): number | string {
    const t = text.trim();
    if (t === "") return "unexpected end of expression";
    const r = this.m.registers();
    const regs: Record<string, number> = {
      eax: r.gpr[0], ecx: r.gpr[1], edx: r.gpr[2], ebx: r.gpr[3], esp: r.gpr[4], ebp: r.gpr[5], esi: r.gpr[6], edi: r.gpr[7],
      eip: r.eip, pc: (r.cs.base + r.eip) >>> 0, eflags: r.eflags, cr0: r.cr0, cr2: r.cr2, cr3: r.cr3, cr4: r.cr4,
      cs: r.cs.selector, ds: r.ds.selector, es: r.es.selector, ss: r.ss.selector, fs: r.fs.selector, gs: r.gs.selector,
    };
    let sum = 0;
    for (const m of t.matchAll(/\s*([+-]?)\s*([^\s+-]+)/g)) {
      const term = m[2];
      let v: number;
      if (term.startsWith("$")) {
        const name = term.slice(1).toLowerCase();
        if (!(name in regs)) return `unknown register: '${term.slice(1)}'`;
        v = regs[name];
      } else if (/^0x[0-9a-f]+$/i.test(term)) v = parseInt(term.slice(2), 16);
      else if (/^0[0-7]*$/.test(term)) v = parseInt(term, 8);
      else if (/^[1-9]\d*$/.test(term)) v = parseInt(term, 10);
      else return `invalid char '${term[0]}' in expression`;
      sum = m[1] === "-" ? sum - v : sum + v;
    }
    return sum >>> 0;
  }
}

/** "rep movsd" -> ["rep movsd", ""], "mov eax,0x1" -> ["mov", "eax,0x1"]: the
 *  prefixes stay with the mnemonic, as capstone prints them. */
function splitMnemonic(text: string): [string, string] {
  const words = text.split(" ");
  let i = 0;
  while (i < words.length - 1 && ["lock", "rep", "repne"].includes(words[i])) i++;
  return [words.slice(0, i + 1).join(" "), words.slice(i + 1).join(" ")];
}

const hex16 = (v: number) => v.toString(16).padStart(16, "0");

/** One segment register line of `info registers`: name, selector, base, limit,
 *  the descriptor's flags dword (bits 8-23 of its high half), and in protected
 *  mode a description of the segment. */
function segmentLine(name: string, sr: SegmentRegister, protectedMode: boolean): string {
  const attr = sr.attributes;
  const g = (attr & 0x8000) !== 0;
  const limitHigh = ((g ? sr.limit >>> 12 : sr.limit) >>> 16) & 0xf;
  const flags = ((attr << 8) | (limitHigh << 16)) & 0x00ffff00;
  let s = `${name.padEnd(3)}=${hex(sr.selector, 4)} ${hex(sr.base, 8)} ${hex(sr.limit, 8)} ${hex(flags, 8)}`;
  if (!protectedMode || !(attr & 0x80)) return s;
  s += ` DPL=${(attr >> 5) & 3} `;
  if (attr & 0x10) {
    const a = attr & 1 ? "A" : "-";
    if (attr & 8) s += `${attr & 0x4000 ? "CS32" : "CS16"} [${attr & 4 ? "C" : "-"}${attr & 2 ? "R" : "-"}${a}]`;
    else s += `${attr & 0x4000 ? "DS  " : "DS16"} [${attr & 4 ? "E" : "-"}${attr & 2 ? "W" : "-"}${a}]`;
  } else {
    s += SYSTEM_TYPES[attr & 0xf];
  }
  return s;
}

const SYSTEM_TYPES = ["Reserved", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate", "IntGate16", "TrapGate16",
  "Reserved", "TSS32-avl", "Reserved", "TSS32-busy", "CallGate32", "Reserved", "IntGate32", "TrapGate32"];

/** One x/xp item as QEMU prints it: " 0x%0*x", " %*d", " %*u", " 0%*o", or a quoted character. */
function formatItem(x: bigint, size: number, format: string, digits: number): string {
  switch (format) {
    case "x": return " 0x" + x.toString(16).padStart(digits, "0");
    case "o": return " 0" + x.toString(8).padStart(digits, " ");
    case "u": return " " + x.toString().padStart(digits, " ");
    case "d": return " " + BigInt.asIntN(size * 8, x).toString().padStart(digits, " ");
    case "c": {
      const c = Number(x & 0xffn);
      const q = c === 0x27 ? "\\'" : c === 0x5c ? "\\\\" : c === 0x0a ? "\\n" : c === 0x0d ? "\\r" : c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${hex(c, 2)}`;
      return ` '${q}'`;
    }
  }
  return "";
}
