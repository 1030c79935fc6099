// The gdb remote serial protocol (gdb manual, appendix E "Remote Protocol") over
// any byte stream: the stub that `target remote` talks to. No DOM and no Node
// APIs: web/cli carries it over TCP (-gdb, -s), the page may carry it over a
// WebSocket. What it offers is what QEMU's gdbstub offers for qemu-system-i386,
// so that gdb needs no settings and scripts written against QEMU work here:
//
//   packets    $data#cs with acks (+/-), QStartNoAckMode, Ctrl-C (0x03) while running
//   registers  g/G, p/P in QEMU's i386 order and target description (qXfer
//              features: architecture i386, the core, x87 and SSE registers)
//   memory     m/M/X at linear addresses (through the page tables, no faults);
//              an unmapped address answers E14, as QEMU does
//   running    ?, c, s, C, S, vCont (c, s, C, S), vCont?; stop replies T05 (with
//              watch:/rwatch:/awatch: for watchpoints), T02 after Ctrl-C, W on exit
//   breakpoints Z0/Z1 (execution, any number), Z2/Z3/Z4 (write/read/access
//              watchpoints of any length): the machine's host breakpoints
//   queries    qSupported (PacketSize), qAttached, qC, qfThreadInfo/qsThreadInfo,
//              H, T: one thread, id 1
//   D, k       detach (breakpoints dropped, the guest runs on); kill (the host exits)
//   replay     with a replay (-icount rr=replay): bs and bc (reverse step and
//              continue, ReverseStep+/ReverseContinue+ in qSupported as QEMU
//              offers them), s steps the recording forward; T05replaylog:begin
//              or :end at either end of it; registers and memory are read-only
//
// Anything else gets the empty reply ("not supported"); a malformed packet gets
// an error reply (E22) or, with a bad checksum, a NAK. Nothing a client sends
// throws out of receive().
//
//   const stub = new GdbStub(machine, { send, resume, stop, step, kill });
//   socket.on("data", (b) => stub.receive(b));   // and on a stop: stub.stopped(reason)

import type { Points, TimelineStop } from "./reverse";
import { type Machine, type RegisterName, type Registers, STOP, WATCH, type StopReason, type WatchKind, GPR_NAMES } from "./machine";

/** What the stub needs from the host that runs the machine. */
export interface GdbHost {
  /** Bytes to the client. */
  send(bytes: Uint8Array): void;
  /** Let the machine run; the host calls stopped() when it stops by itself. */
  resume(): void;
  /** Stop the machine now (Ctrl-C); it must not run again until resume(). */
  stop(): void;
  /** Execute one instruction (Machine.step), handling output and exits as after a slice. */
  step(): StopReason;
  /** The client asked to kill the target: the host ends. */
  kill(): void;
  /** A packet the stub failed on (answered E22; the machine is untouched): for
   *  the host's log, so that the failure can be found. */
  warn?(message: string): void;
  /** Set when the machine replays a recording (web/host/reverse.ts): it steps
   *  by the recording, can go backwards, and nothing may change it. */
  replay?: {
    step(): TimelineStop;
    reverseStep(points: Points): TimelineStop;
    /** May take long: the stub waits for it as for a running target (Ctrl-C cancels it). */
    reverseContinue(points: Points): Promise<TimelineStop>;
    cancel(): void;
  };
}

// POSIX signal numbers gdb's remote protocol uses in stop replies.
const SIGINT = 2;
const SIGTRAP = 5;

/** Largest packet (data bytes) we accept and say we accept (qSupported PacketSize). */
export const PACKET_SIZE = 0x1000;
const MAX_MEMORY = (PACKET_SIZE - 16) >> 1; // m reply: two hex digits a byte

const ERR_INVALID = "E22"; // EINVAL: a malformed packet
const ERR_MEMORY = "E14";  // EFAULT: memory that cannot be read or written (QEMU's answer)
const ERR_REPLAY = "E01";  // EPERM: a replay's registers and memory cannot be changed

// ---- registers, in the order and with the types of QEMU's i386 target description ----

interface RegDef {
  name: string;
  bits: number;
  type: string;
  group?: string;
  /** Little-endian bytes of the value. */
  read(r: Registers, fpu: Uint8Array): Uint8Array;
  /** The Machine register this writes, when writable. */
  write?: RegisterName;
}

const u32 = (v: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, v >>> 0, true); return b; };
const zeros = (n: number) => () => new Uint8Array(n);

function registerTable(): RegDef[] {
  const t: RegDef[] = [];
  GPR_NAMES.forEach((name, i) => t.push({ name, bits: 32, type: name === "esp" || name === "ebp" ? "data_ptr" : "int32", read: (r) => u32(r.gpr[i]), write: name }));
  t.push({ name: "eip", bits: 32, type: "code_ptr", read: (r) => u32(r.eip), write: "eip" });
  t.push({ name: "eflags", bits: 32, type: "i386_eflags", read: (r) => u32(r.eflags), write: "eflags" });
  for (const s of ["cs", "ss", "ds", "es", "fs", "gs"] as const) t.push({ name: s, bits: 32, type: "int32", read: (r) => u32(r[s].selector), write: s });
  t.push({ name: "fs_base", bits: 32, type: "int32", read: (r) => u32(r.fs.base) });
  t.push({ name: "gs_base", bits: 32, type: "int32", read: (r) => u32(r.gs.base) });
  t.push({ name: "k_gs_base", bits: 32, type: "int32", read: zeros(4) });
  t.push({ name: "cr0", bits: 32, type: "i386_cr0", read: (r) => u32(r.cr0), write: "cr0" });
  t.push({ name: "cr2", bits: 32, type: "int32", read: (r) => u32(r.cr2), write: "cr2" });
  t.push({ name: "cr3", bits: 32, type: "i386_cr3", read: (r) => u32(r.cr3), write: "cr3" });
  t.push({ name: "cr4", bits: 32, type: "i386_cr4", read: (r) => u32(r.cr4), write: "cr4" });
  t.push({ name: "cr8", bits: 32, type: "int32", read: zeros(4) });
  t.push({ name: "efer", bits: 32, type: "i386_efer", read: (r) => u32(r.efer ?? 0) }); // no long mode; NXE with -cpu ...,+nx
  for (let i = 0; i < 8; i++) t.push({ name: `st${i}`, bits: 80, type: "i387_ext", read: (_, f) => f.slice(i * 10, i * 10 + 10) });
  ["fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"].forEach((name, i) =>
    t.push({ name, bits: 32, type: "int", group: "float", read: (_, f) => f.slice(80 + i * 4, 84 + i * 4) }));
  // XMM0-7 and MXCSR (Machine.fpuImage); on a model without SSE they read as at reset.
  for (let i = 0; i < 8; i++) t.push({ name: `xmm${i}`, bits: 128, type: "vec128", read: (_, f) => f.slice(112 + i * 16, 128 + i * 16) });
  t.push({ name: "mxcsr", bits: 32, type: "i386_mxcsr", group: "vector", read: (_, f) => f.slice(240, 244) });
  return t;
}

export const REGISTERS: readonly RegDef[] = registerTable();

// Flag fields gdb prints for the flag registers (SDM vol. 1 §3.4.3, vol. 3 §2.5, §4.5).
const FLAG_TYPES: Record<string, [string, number, number][]> = {
  i386_eflags: [["", 22, 31], ["ID", 21, 21], ["VIP", 20, 20], ["VIF", 19, 19], ["AC", 18, 18], ["VM", 17, 17], ["RF", 16, 16],
    ["", 15, 15], ["NT", 14, 14], ["IOPL", 12, 13], ["OF", 11, 11], ["DF", 10, 10], ["IF", 9, 9], ["TF", 8, 8], ["SF", 7, 7],
    ["ZF", 6, 6], ["", 5, 5], ["AF", 4, 4], ["", 3, 3], ["PF", 2, 2], ["", 1, 1], ["CF", 0, 0]],
  i386_cr0: [["PG", 31, 31], ["CD", 30, 30], ["NW", 29, 29], ["AM", 18, 18], ["WP", 16, 16], ["NE", 5, 5], ["ET", 4, 4],
    ["TS", 3, 3], ["EM", 2, 2], ["MP", 1, 1], ["PE", 0, 0]],
  i386_cr3: [["PDBR", 12, 31], ["PCID", 0, 11]],
  i386_cr4: [["VME", 0, 0], ["PVI", 1, 1], ["TSD", 2, 2], ["DE", 3, 3], ["PSE", 4, 4], ["PAE", 5, 5], ["MCE", 6, 6],
    ["PGE", 7, 7], ["PCE", 8, 8], ["OSFXSR", 9, 9], ["OSXMMEXCPT", 10, 10], ["UMIP", 11, 11], ["LA57", 12, 12],
    ["VMXE", 13, 13], ["SMXE", 14, 14], ["FSGSBASE", 16, 16], ["PCIDE", 17, 17], ["OSXSAVE", 18, 18],
    ["SMEP", 20, 20], ["SMAP", 21, 21], ["PKE", 22, 22]],
  i386_efer: [["TCE", 15, 15], ["FFXSR", 14, 14], ["LMSLE", 13, 13], ["SVME", 12, 12], ["NXE", 11, 11], ["LMA", 10, 10],
    ["LME", 8, 8], ["SCE", 0, 0]],
  i386_mxcsr: [["IE", 0, 0], ["DE", 1, 1], ["ZE", 2, 2], ["OE", 3, 3], ["UE", 4, 4], ["PE", 5, 5], ["DAZ", 6, 6],
    ["IM", 7, 7], ["DM", 8, 8], ["ZM", 9, 9], ["OM", 10, 10], ["UM", 11, 11], ["PM", 12, 12], ["FZ", 15, 15]],
};

/** The target description (gdb manual, "Target Descriptions"), built from REGISTERS. */
export function targetXml(): string {
  const flags = Object.entries(FLAG_TYPES).map(([id, fields]) =>
    `<flags id="${id}" size="4">${fields.map(([n, s, e]) => `<field name="${n}" start="${s}" end="${e}"/>`).join("")}</flags>`).join("");
  const vectors = [["v4f", "ieee_single", 4], ["v2d", "ieee_double", 2], ["v16i8", "int8", 16], ["v8i16", "int16", 8],
    ["v4i32", "int32", 4], ["v2i64", "int64", 2]].map(([id, type, n]) => `<vector id="${id}" type="${type}" count="${n}"/>`).join("");
  const union = `<union id="vec128">${[["v4_float", "v4f"], ["v2_double", "v2d"], ["v16_int8", "v16i8"], ["v8_int16", "v8i16"],
    ["v4_int32", "v4i32"], ["v2_int64", "v2i64"], ["uint128", "uint128"]].map(([n, t]) => `<field name="${n}" type="${t}"/>`).join("")}</union>`;
  const regs = REGISTERS.map((r, i) =>
    `<reg name="${r.name}" bitsize="${r.bits}" type="${r.type}"${r.group ? ` group="${r.group}"` : ""}${i === 0 ? ` regnum="0"` : ""}/>`).join("");
  return `<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>i386</architecture>` +
    `<feature name="org.gnu.gdb.i386.core">${flags}${vectors}${union}${regs}</feature></target>`;
}

// ---- encoding ----

const HEX = "0123456789abcdef";
function toHex(b: Uint8Array): string { let s = ""; for (const x of b) s += HEX[x >> 4] + HEX[x & 15]; return s; }
function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return b;
}
/** A hex number of at most 8 digits (an address or length on a 32-bit target). */
function parseNum(s: string | undefined): number | undefined {
  if (s === undefined || !/^[0-9a-fA-F]{1,8}$/.test(s)) return undefined;
  return parseInt(s, 16);
}
function checksum(b: Uint8Array | string): number {
  let c = 0;
  if (typeof b === "string") for (let i = 0; i < b.length; i++) c += b.charCodeAt(i);
  else for (const x of b) c += x;
  return c & 0xff;
}
/** The bytes of a packet as sent: latin1, each char a byte. */
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

type Reply = string | null; // null: no reply now (the target runs)

interface Point { type: number; addr: number; len: number }

export class GdbStub {
  private noAck = false;
  private running = false;
  private lastSent: Uint8Array | undefined;
  // receive state: outside a packet, in its data, or in its two checksum digits
  private state: "idle" | "data" | "sum" = "idle";
  private data: number[] = [];
  private sum = "";
  /** Breakpoints and watchpoints the client inserted (dropped on detach). */
  private points: Point[] = [];
  private readonly xml = targetXml();
  /** Take the client's points out of the machine and put them back (going back in a replay). */
  private readonly pointSwitch: Points = { off: () => this.switchPoints(false), on: () => this.switchPoints(true) };

  constructor(private readonly m: Machine, private readonly host: GdbHost) {}

  /** Whether the client let the machine run (the host runs it only then). */
  get isRunning(): boolean { return this.running; }

  /** Bytes from the client. */
  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      switch (this.state) {
        case "idle":
          if (b === 0x24 /* $ */) { this.state = "data"; this.data = []; }
          else if (b === 0x03) this.interrupt();
          else if (b === 0x2d /* - */ && this.lastSent) this.host.send(this.lastSent);
          break; // '+' and noise between packets
        case "data":
          if (b === 0x23 /* # */) { this.state = "sum"; this.sum = ""; }
          else if (this.data.length >= PACKET_SIZE) { this.state = "idle"; if (!this.noAck) this.host.send(latin1("-")); }
          else this.data.push(b);
          break;
        case "sum":
          this.sum += String.fromCharCode(b);
          if (this.sum.length === 2) { this.state = "idle"; this.packet(); }
          break;
      }
    }
  }

  /** The machine stopped by itself while the client let it run: a breakpoint,
   *  a watchpoint or a pause. */
  stopped(reason: StopReason): void {
    if (!this.running) return;
    this.running = false;
    this.sendPacket(this.stopReply(reason === STOP.PAUSE ? SIGINT : SIGTRAP, reason));
  }

  /** A replay the client let run reached the end of its recording. */
  replayEnded(): void {
    if (!this.running) return;
    this.running = false;
    this.sendPacket(this.timelineReply({ reason: "end" }));
  }

  /** The guest ended (isa-debug-exit, power-off) with `code`: tell the client. */
  exited(code: number): void {
    this.running = false;
    this.sendPacket(`W${(code & 0xff).toString(16).padStart(2, "0")}`);
  }

  /** The client went away without D: its breakpoints go; a stopped machine
   *  stays stopped for the next client (as in QEMU), a running one runs on. */
  disconnected(): void {
    this.dropPoints();
    this.state = "idle";
    this.noAck = false;
  }

  private interrupt(): void {
    if (!this.running) return;
    this.running = false;
    this.host.replay?.cancel();
    this.host.stop();
    this.sendPacket(this.stopReply(SIGINT));
  }

  private packet(): void {
    const raw = Uint8Array.from(this.data);
    const want = parseNum(this.sum);
    if (want === undefined || want !== checksum(raw)) {
      if (!this.noAck) this.host.send(latin1("-"));
      return;
    }
    if (!this.noAck) this.host.send(latin1("+"));
    let reply: Reply;
    try {
      reply = this.handle(raw);
    } catch (e) {
      reply = ERR_INVALID; // a bug here must not take the guest down
      this.host.warn?.(`packet ${JSON.stringify(String.fromCharCode(...raw.subarray(0, 40)))} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (reply !== null) this.sendPacket(reply);
  }

  private sendPacket(body: string): void {
    // '$', '#', '}' and '*' in a reply would be misread; replies here are hex,
    // XML and names, and the XML is escaped in qXfer (binary data).
    const p = latin1(`$${body}#${checksum(body).toString(16).padStart(2, "0")}`);
    this.lastSent = p;
    this.host.send(p);
  }

  private handle(raw: Uint8Array): Reply {
    const text = String.fromCharCode(...raw.subarray(0, Math.min(raw.length, 64)));
    const cmd = text[0];
    // X carries binary data: only its header is text.
    if (cmd === "X") return this.host.replay ? ERR_REPLAY : this.writeBinary(raw);
    const s = raw.length > 64 ? new TextDecoder("latin1").decode(raw) : text;
    switch (cmd) {
      case "?": return this.stopReply(SIGTRAP);
      case "g": return this.readAllRegisters();
      case "G": return this.host.replay ? ERR_REPLAY : this.writeAllRegisters(s.slice(1));
      case "p": return this.readRegister(s.slice(1));
      case "P": return this.host.replay ? ERR_REPLAY : this.writeRegister(s.slice(1));
      case "m": return this.readMemory(s.slice(1));
      case "M": return this.host.replay ? ERR_REPLAY : this.writeMemory(s.slice(1));
      case "b": return this.reverse(s);
      case "c": case "C": return this.resume(s, false);
      case "s": case "S": return this.resume(s, true);
      case "Z": case "z": return this.point(cmd === "Z", s.slice(1));
      case "H": return "OK";
      case "T": return this.threadAlive(s.slice(1));
      case "D": this.dropPoints(); this.running = true; this.host.resume(); return "OK";
      case "k": this.host.kill(); return null;
      case "q": case "Q": return this.query(s);
      case "v": return this.vPacket(s);
      default: return "";
    }
  }

  private stopReply(signal: number, reason?: StopReason): string {
    let watch = "";
    if (reason === STOP.BREAKPOINT) {
      const hit = this.m.breakpointHit();
      if (hit?.kind === "watchpoint") {
        const name = hit.watch === WATCH.WRITE ? "watch" : hit.watch === WATCH.READ ? "rwatch" : "awatch";
        watch = `${name}:${hit.address.toString(16)};`;
      }
    }
    return `T${signal.toString(16).padStart(2, "0")}${watch}thread:01;`;
  }

  // ---- registers ----

  private readAllRegisters(): string {
    const r = this.m.registers(), f = this.m.fpuImage();
    return REGISTERS.map((d) => toHex(d.read(r, f))).join("");
  }

  private writeAllRegisters(hex: string): Reply {
    const bytes = fromHex(hex);
    if (!bytes) return ERR_INVALID;
    const r = this.m.registers(), f = this.m.fpuImage();
    let off = 0;
    for (const d of REGISTERS) {
      const n = d.bits >> 3;
      if (off + n > bytes.length) break; // gdb may send a prefix
      const v = bytes.subarray(off, off + n);
      off += n;
      // Only what changed: rewriting a segment register reloads its descriptor.
      if (d.write && toHex(v) !== toHex(d.read(r, f))) this.setRegister(d, v);
    }
    return "OK";
  }

  private readRegister(arg: string): Reply {
    const n = parseNum(arg);
    if (n === undefined || n >= REGISTERS.length) return ERR_INVALID;
    return toHex(REGISTERS[n].read(this.m.registers(), this.m.fpuImage()));
  }

  private writeRegister(arg: string): Reply {
    const [ns, hex] = arg.split("=");
    const n = parseNum(ns), v = fromHex(hex ?? "");
    if (n === undefined || n >= REGISTERS.length || !v || v.length !== REGISTERS[n].bits >> 3) return ERR_INVALID;
    const d = REGISTERS[n];
    if (!d.write) return "OK"; // registers this CPU does not have (cr8, efer, SSE) or not writable here: ignored, as QEMU ignores them
    return this.setRegister(d, v) ? "OK" : ERR_INVALID;
  }

  private setRegister(d: RegDef, v: Uint8Array): boolean {
    const value = new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
    return this.m.setRegister(d.write!, value);
  }

  // ---- memory ----

  private readMemory(arg: string): Reply {
    const [as, ls] = arg.split(",");
    const addr = parseNum(as), len = parseNum(ls);
    if (addr === undefined || len === undefined || len > MAX_MEMORY) return ERR_INVALID;
    const b = this.m.readLinear(addr, len);
    return b.length < len ? ERR_MEMORY : toHex(b);
  }

  private writeMemory(arg: string): Reply {
    const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(arg);
    const addr = parseNum(m?.[1]), len = parseNum(m?.[2]), bytes = fromHex(m?.[3] ?? "x");
    if (addr === undefined || len === undefined || !bytes || bytes.length !== len) return ERR_INVALID;
    return this.m.writeLinear(addr, bytes) < len ? ERR_MEMORY : "OK";
  }

  /** X addr,len:binary, where 0x7d escapes the next byte (xor 0x20). */
  private writeBinary(raw: Uint8Array): Reply {
    const colon = raw.indexOf(0x3a);
    if (colon < 0) return ERR_INVALID;
    const [as, ls] = String.fromCharCode(...raw.subarray(1, colon)).split(",");
    const addr = parseNum(as), len = parseNum(ls);
    if (addr === undefined || len === undefined) return ERR_INVALID;
    const out: number[] = [];
    for (let i = colon + 1; i < raw.length; i++) out.push(raw[i] === 0x7d && i + 1 < raw.length ? raw[++i] ^ 0x20 : raw[i]);
    if (out.length !== len) return ERR_INVALID;
    if (len === 0) return "OK"; // gdb probes for X support this way
    return this.m.writeLinear(addr, Uint8Array.from(out)) < len ? ERR_MEMORY : "OK";
  }

  // ---- running ----

  /** c/C/s/S [sig;][addr]: an address, if given, is where EIP resumes. */
  private resume(s: string, step: boolean): Reply {
    let arg = s.slice(1);
    if (s[0] === "C" || s[0] === "S") {
      const semi = arg.indexOf(";");
      if (parseNum(semi < 0 ? arg : arg.slice(0, semi)) === undefined) return ERR_INVALID;
      arg = semi < 0 ? "" : arg.slice(semi + 1);
    }
    if (arg !== "") {
      const addr = parseNum(arg);
      if (addr === undefined) return ERR_INVALID;
      if (this.host.replay) return ERR_REPLAY;
      this.m.setRegister("eip", addr);
    }
    return this.go(step);
  }

  private go(step: boolean): Reply {
    if (step && this.host.replay) return this.timelineReply(this.host.replay.step());
    if (step) {
      const r = this.host.step();
      return this.stopReply(SIGTRAP, r);
    }
    this.running = true;
    this.host.resume();
    return null;
  }

  /** vCont;action[:thread]...: the first action for our one thread decides. */
  private vPacket(s: string): Reply {
    if (s === "vCont?") return "vCont;c;C;s;S";
    if (!s.startsWith("vCont;")) return ""; // vMustReplyEmpty, vKill (not offered), vFile...
    for (const a of s.slice(6).split(";")) {
      const [action, thread] = a.split(":");
      if (thread !== undefined && !/^(-1|0*1|p0*1\.(-1|0*1)|p-1\.-1)$/.test(thread)) continue;
      const kind = action[0];
      if ((kind === "C" || kind === "S") && parseNum(action.slice(1)) === undefined) return ERR_INVALID;
      if (kind === "c" || kind === "C") return this.go(false);
      if (kind === "s" || kind === "S") return this.go(true);
      return ERR_INVALID;
    }
    return ERR_INVALID;
  }

  /** bs, bc: reverse step and continue (gdb manual, "Packets"), in a replay only. */
  private reverse(s: string): Reply {
    const r = this.host.replay;
    if (!r || (s !== "bs" && s !== "bc")) return "";
    if (s === "bs") return this.timelineReply(r.reverseStep(this.pointSwitch));
    // The answer comes when it is done, unless Ctrl-C came first (interrupt()).
    this.running = true;
    const answer = (body: string) => { if (this.running) { this.running = false; this.sendPacket(body); } };
    r.reverseContinue(this.pointSwitch).then((t) => answer(this.timelineReply(t)), () => answer(ERR_INVALID));
    return null;
  }

  /** A stop in a replay: replaylog:begin/end is how gdb learns it has no more
   *  history that way ("No more reverse-execution history"). */
  private timelineReply(t: TimelineStop): string {
    switch (t.reason) {
      case "begin": case "end": return `T${SIGTRAP.toString(16).padStart(2, "0")}replaylog:${t.reason};thread:01;`;
      case "watchpoint": {
        const name = t.watch === WATCH.WRITE ? "watch" : t.watch === WATCH.READ ? "rwatch" : "awatch";
        return `T${SIGTRAP.toString(16).padStart(2, "0")}${name}:${t.address.toString(16)};thread:01;`;
      }
      default: return this.stopReply(SIGTRAP);
    }
  }

  private threadAlive(arg: string): Reply {
    return /^(0*1|-1)$/.test(arg) ? "OK" : ERR_INVALID;
  }

  // ---- breakpoints and watchpoints ----

  /** Z/z type,addr,kind: 0 and 1 execution, 2 write, 3 read, 4 access. */
  private point(insert: boolean, arg: string): Reply {
    const [ts, as, ks] = arg.split(",");
    const type = parseNum(ts), addr = parseNum(as), len = parseNum(ks?.split(";")[0]);
    if (type === undefined || addr === undefined || len === undefined) return ERR_INVALID;
    if (type > 4) return ""; // not a type gdb knows: unsupported
    const p: Point = { type, addr, len };
    if (type <= 1) {
      if (insert) { if (!this.m.insertBreakpoint(addr)) return ERR_INVALID; this.points.push(p); }
      else if (this.m.removeBreakpoint(addr)) this.forget(p);
      return "OK";
    }
    const kind = ([WATCH.WRITE, WATCH.READ, WATCH.ACCESS] as WatchKind[])[type - 2];
    if (insert) {
      if (!this.m.insertWatchpoint(addr, len, kind)) return ERR_INVALID;
      this.points.push(p);
    } else if (this.m.removeWatchpoint(addr, len, kind)) this.forget(p);
    return "OK";
  }

  private forget(p: Point): void {
    const i = this.points.findIndex((q) => q.type === p.type && q.addr === p.addr && (p.type <= 1 || q.len === p.len));
    if (i >= 0) this.points.splice(i, 1);
  }

  private switchPoints(on: boolean): void {
    for (const p of this.points) {
      const kind = ([WATCH.WRITE, WATCH.READ, WATCH.ACCESS] as WatchKind[])[p.type - 2];
      if (p.type <= 1) { if (on) this.m.insertBreakpoint(p.addr); else this.m.removeBreakpoint(p.addr); }
      else if (on) this.m.insertWatchpoint(p.addr, p.len, kind);
      else this.m.removeWatchpoint(p.addr, p.len, kind);
    }
  }

  private dropPoints(): void {
    for (const p of this.points) {
      if (p.type <= 1) this.m.removeBreakpoint(p.addr);
      else this.m.removeWatchpoint(p.addr, p.len, ([WATCH.WRITE, WATCH.READ, WATCH.ACCESS] as WatchKind[])[p.type - 2]);
    }
    this.points = [];
  }

  // ---- queries ----

  private query(s: string): Reply {
    if (s.startsWith("qSupported")) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;vContSupported+${this.host.replay ? ";ReverseStep+;ReverseContinue+" : ""}`;
    }
    if (s === "QStartNoAckMode") { this.sendPacket("OK"); this.noAck = true; return null; }
    if (s === "qAttached" || s.startsWith("qAttached:")) return "1";
    if (s === "qC") return "QC01";
    if (s === "qfThreadInfo") return "m01";
    if (s === "qsThreadInfo") return "l";
    if (s.startsWith("qXfer:features:read:")) return this.features(s.slice(20));
    return "";
  }

  /** qXfer:features:read:annex:offset,length: the target description in pieces. */
  private features(arg: string): Reply {
    const m = /^([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(arg);
    const off = parseNum(m?.[2]), len = parseNum(m?.[3]);
    if (!m || off === undefined || len === undefined) return ERR_INVALID;
    if (m[1] !== "target.xml") return "E00";
    const part = this.xml.slice(off, off + Math.min(len, PACKET_SIZE - 8));
    const more = off + part.length < this.xml.length;
    // binary data: $, #, } and * are escaped as } and the byte xor 0x20
    return (more ? "m" : "l") + part.replace(/[$#}*]/g, (c) => "}" + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
  }
}
