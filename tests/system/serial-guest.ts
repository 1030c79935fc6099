// A guest's serial console driven from a test, the same for RingZero's ringzero
// command and for qemu-system-i386: a child process with the console on stdio, a
// transcript to wait on, and a shell to type commands into (the images' prompt and
// ready marker come from public/images/manifest.json).

import { spawn, spawnSync, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const IMAGES = join(ROOT, "public/images");

export interface Manifest {
  cmdline: string;
  prompt: string;
  readyMarker: string;
  kernelVersion: string;
  disk: { device: string; file: string; line: string };
}

/** Builds the guest images when missing or stale (tools/guest/ensure.mjs) and reads their manifest. */
export function ensureImages(): Manifest {
  const r = spawnSync(process.execPath, [join(ROOT, "tools/guest/ensure.mjs")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`building the guest images failed (exit ${r.status}); run "npm run guest" to see why:\n${r.stdout}${r.stderr}`);
  }
  return JSON.parse(readFileSync(join(IMAGES, "manifest.json"), "utf8")) as Manifest;
}

/** The images' manifest, after building the images and the ringzero command when
 *  missing or stale (for a test file's beforeAll). */
export function prepareRingZero(): Manifest {
  const manifest = ensureImages();
  execFileSync(process.execPath, [join(ROOT, "tools/build-cli.mjs")], { cwd: ROOT });
  return manifest;
}

/** The ringzero command with `args`, its console on stdio; `env` added to the environment. */
export function ringzeroGuest(manifest: Manifest, args: string[], commandTimeoutMs: number, env: Record<string, string> = {}): SerialGuest {
  return new SerialGuest("ringzero", process.execPath, [join(ROOT, "bin/ringzero.mjs"), ...args], manifest, commandTimeoutMs, env);
}

export class SerialGuest {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly started = Date.now();
  readonly exited: Promise<number | null>;
  transcript = "";

  /** `name` is for messages; `commandTimeoutMs` bounds each wait for a prompt. */
  constructor(readonly name: string, command: string, args: string[], readonly manifest: Manifest,
    readonly commandTimeoutMs: number, env: Record<string, string> = {}) {
    this.proc = spawn(command, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.proc.stdout.on("data", (d: Buffer) => { this.transcript += d.toString("latin1"); });
    this.proc.stderr.on("data", (d: Buffer) => { this.transcript += d.toString("latin1"); });
    this.exited = new Promise((resolve) => this.proc.on("exit", (code) => resolve(code)));
  }

  /** Resolves with the index just past the first match at or after `from`. */
  async waitFor(pattern: string | RegExp, from: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.transcript.slice(from);
      if (typeof pattern === "string") {
        const i = rest.indexOf(pattern);
        if (i >= 0) return from + i + pattern.length;
      } else {
        const m = pattern.exec(rest);
        if (m) return from + m.index + m[0].length;
      }
      if (this.proc.exitCode !== null || Date.now() > deadline) {
        const why = this.proc.exitCode !== null ? `${this.name} exited with ${this.proc.exitCode}` : `timed out after ${timeoutMs} ms`;
        throw new Error(`waiting for ${String(pattern)}: ${why}; last output:\n${this.transcript.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits for the ready marker (after `from`) and the first prompt; logs the time
   *  taken as `label` and returns the offset after the prompt. */
  async waitForShell(bootTimeoutMs: number, from = 0, label = "shell"): Promise<number> {
    const marker = await this.waitFor(`${this.manifest.readyMarker}\r\n`, from, bootTimeoutMs);
    const prompt = await this.waitFor(this.manifest.prompt, marker, this.commandTimeoutMs);
    console.log(`${this.name}: ${label} ready after ${((Date.now() - this.started) / 1000).toFixed(1)} s`);
    return prompt;
  }

  /** Types a command line as a terminal would (CR); returns its output and where the next prompt ends. */
  async run(command: string, from: number): Promise<{ output: string; next: number }> {
    const start = Math.max(this.transcript.length, from);
    this.proc.stdin.write(`${command}\r`);
    // The tty echoes the command; its output starts after the echoed line.
    const echoed = await this.waitFor(/\r?\n/, start, this.commandTimeoutMs);
    const next = await this.waitFor(this.manifest.prompt, echoed, this.commandTimeoutMs);
    const output = this.transcript.slice(echoed, next - this.manifest.prompt.length)
      // A kernel message printed while the command ran is not its output.
      .split(/(?<=\n)/).filter((line) => !/^\[\s*\d+\.\d+\]/.test(line)).join("");
    return { output, next };
  }

  /** Sends `keys` and resolves with the exit code, or null if it does not exit in time. */
  async leave(keys: string): Promise<number | null> {
    this.proc.stdin.write(keys);
    return Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), this.commandTimeoutMs))]);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}
