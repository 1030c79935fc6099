// Translating and compiling blocks in another thread (a worker in the page, a
// worker thread on the command line): the worker's side, and the messages
// between it and the machine's thread (Translator with a CompileChannel).
// No DOM and no Node APIs; web/jit/compileworker.ts (the browser) and
// web/cli/compileworker.ts (Node) connect it to their thread's messages.
//
// The machine's thread copies a hot start's code (its page up to the start and
// the bytes after it that the block may use) into a request and goes on
// interpreting; the start waits (asm/cpu/jit.ts HOST_WAITING). Here the block
// is translated at once, and the blocks translated since the last reply go into
// one module, compiled here (WebAssembly.Module: V8 validates it here; it
// compiles each function lazily at its first call, on the thread that calls it)
// when BATCH have come or no request is left waiting in this thread's queue. The
// machine's thread instantiates the module between run slices, or when a
// waiting start has run on (asm/cpu/jit.ts jitFlush), and installs its blocks
// (jitInstall) whose starts still wait: one whose page was written meanwhile
// was dropped there and its ticket no longer matches.

import { translateCode, blockModule, Translator, type Translation } from "./translator";

/** The machine's thread to the worker. */
export type CompileRequest =
  /** Translate the block at host address `host`; `code` is its page from the
   *  page's start to the last byte it may use (Translator.compile). */
  | { kind: "block"; ticket: number; host: number; code: Uint8Array; mode: number; flat: number; chain: boolean }
  /** An instruction that keeps reaching a device (Translator.mmioSite). */
  | { kind: "mmio"; host: number }
  /** The set of those starts again empty. */
  | { kind: "mmioClear" }
  /** Reply now with what is translated (a start waiting for it grew hot). */
  | { kind: "flush" };

/** A block of a reply's module: its export is its index in `blocks`. */
export interface CompiledBlock { host: number; ticket: number; insns: number; lenMode: number; bytes: number }
/** The worker to the machine's thread. */
export interface CompileReply {
  /** The blocks' module (absent when none was translated). */
  module?: WebAssembly.Module;
  blocks: CompiledBlock[];
  /** Starts the translator declined or failed on: left to the interpreter. */
  declined: { host: number; ticket: number }[];
  /** Translator failures (a bug): "block at host ...: message". */
  failures: string[];
  /** The worker's time for this reply, ms (translating and compiling). */
  ms: number;
}

/** How the machine's thread talks to its compile worker (the platform's). */
export interface CompileChannel {
  post(req: CompileRequest, transfer?: Transferable[]): void;
  /** The replies that have arrived, without waiting for any. */
  poll(): CompileReply[];
}
/** A CompileChannel over a platform's messages (web/cli/compilethread.ts,
 *  web/worker.ts): `send` posts a request, `take` returns the replies that
 *  came. Once `fail(why)` was called (`what`, the worker, stopped), each call
 *  throws, and the Translator goes on without it (Translator.lost). */
export function guardedChannel(what: string, send: CompileChannel["post"], take: () => CompileReply[]):
  { channel: CompileChannel; fail: (why: string) => void } {
  let failure: string | undefined;
  const check = () => { if (failure !== undefined) throw new Error(`${what} stopped: ${failure}`); };
  return {
    channel: {
      post(req, transfer) { check(); send(req, transfer); },
      poll() { check(); return take(); },
    },
    fail: (why) => { failure ??= why; },
  };
}
// (The worker ends with the machine's: the page's with the machine's Web
// Worker, the command line's with its process, which it does not keep alive.)

/** The worker's side: takes requests, sends replies (`send`); `later(f)` runs
 *  f once the messages already queued for the thread have been taken. */
export class CompileWork {
  private readonly mmio = new Set<number>();
  private pending: { req: { host: number; ticket: number }; t: Translation }[] = [];
  private declined: CompileReply["declined"] = [];
  private failures: string[] = [];
  private ms = 0;
  private scheduled = false;

  constructor(
    private readonly send: (r: CompileReply) => void,
    private readonly later: (f: () => void) => void,
  ) {}

  take(req: CompileRequest): void {
    if (req.kind === "mmio") { this.mmio.add(req.host); return; }
    if (req.kind === "mmioClear") { this.mmio.clear(); return; }
    if (req.kind === "flush") { this.reply(); return; }
    const t0 = performance.now();
    try {
      const t = translateCode(req.code, req.host, req.mode, req.flat, req.chain, this.mmio);
      if (t) this.pending.push({ req, t });
      else this.declined.push({ host: req.host, ticket: req.ticket });
    } catch (err) {
      this.declined.push({ host: req.host, ticket: req.ticket });
      this.failures.push(`block at host ${req.host.toString(16)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.ms += performance.now() - t0;
    if (this.pending.length >= Translator.BATCH) this.reply();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.later(() => { this.scheduled = false; this.reply(); });
    }
  }

  /** The blocks translated since the last reply, in one module. */
  private reply(): void {
    if (!this.pending.length && !this.declined.length) return;
    const t0 = performance.now();
    let blocks = this.pending;
    this.pending = [];
    let module: WebAssembly.Module | undefined;
    try {
      if (blocks.length) module = new WebAssembly.Module(blockModule(blocks.map((b) => b.t)));
    } catch (err) {
      // A translator bug: each block alone, so that one bad block does not
      // keep the others from running translated.
      if (blocks.length > 1) {
        this.ms += performance.now() - t0;
        for (const b of blocks) { this.pending = [b]; this.reply(); }
        return;
      }
      const b = blocks[0].req;
      this.declined.push({ host: b.host, ticket: b.ticket });
      this.failures.push(`block at host ${b.host.toString(16)}: ${err instanceof Error ? err.message : String(err)}`);
      blocks = [];
    }
    const r: CompileReply = {
      module, declined: this.declined, failures: this.failures,
      blocks: blocks.map((b) => ({ host: b.req.host, ticket: b.req.ticket, insns: b.t.insns, lenMode: b.t.len | b.t.mode, bytes: b.t.fn.length })),
      ms: this.ms + performance.now() - t0,
    };
    this.declined = []; this.failures = []; this.ms = 0;
    this.send(r);
  }
}
