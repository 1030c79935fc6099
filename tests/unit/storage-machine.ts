// A machine instance for the storage/display/fw_cfg unit tests: the release wasm
// with a BlockHost, and typed access to the test-only exports of asm/index.ts.

import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { BlockHost, type BlockBackend, DRIVE } from "../../web/host/block";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
let module: WebAssembly.Module | undefined;

export interface TestExports {
  init(ram: number): void;
  reset(): void;
  layoutRamBase(): number;
  ideAttach(drive: number, kind: number, lo: number, hi: number): void;
  ideTakeEject(drive: number): number;
  vgaTextMode(): number; vgaColumns(): number; vgaRows(): number; vgaCharHeight(): number;
  vgaStartAddress(): number; vgaCursorAddress(): number; vgaCursorShape(): number;
  vgaTextBase(): number; vgaFontBase(): number; vgaStateBase(): number;
  fwcfgDataBase(): number; fwcfgDataEnd(): number;
  fwcfgSetItem(key: number, addr: number, len: number): number;
  fwcfgAddFile(nameAddr: number, addr: number, len: number): number;
  storageTestPortIn(port: number, size: number): number;
  storageTestPortOut(port: number, size: number, value: number): void;
  storageTestPhysRead8(addr: number): number;
  storageTestPhysWrite8(addr: number, v: number): void;
  storageTestIrqLevels(): number;
}

export class TestMachine {
  constructor(readonly x: TestExports, readonly memory: WebAssembly.Memory, readonly block: BlockHost) {}
  static async create(ramMB = 32): Promise<TestMachine> {
    module ??= await WebAssembly.compile(readFileSync(join(ROOT, "build/ringzero.wasm")));
    const RAM_BASE = 0x3000000;
    const pages = (RAM_BASE + (ramMB << 20)) / 65536;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const block = new BlockHost();
    block.bind(memory);
    const inst = await WebAssembly.instantiate(module, {
      env: { memory, ...block.imports(), abort() { throw new Error("wasm abort"); }, jitCompile: () => 0, jitFlush: () => {}, jitRelease: () => {}, jitMmioSite: () => 0, hostNow: () => 0 },
    });
    const x = inst.exports as unknown as TestExports;
    x.init(ramMB << 20);
    const m = new TestMachine(x, memory, block);
    m.pciSetup();
    return m;
  }
  /** Put the IDE function's bus-master block (BAR4, PCI 00:01.1) at 0xC000 and
   *  enable its I/O decoding, as SeaBIOS does. A machine reset undoes it. */
  pciSetup(): void {
    const cfg = (reg: number) => 0x80000000 | (1 << 11) | (1 << 8) | reg;
    this.outd(0xcf8, cfg(0x20));
    this.outd(0xcfc, 0xc001);
    this.outd(0xcf8, cfg(0x04));
    this.outw(0xcfc, 0x0005);
  }
  get bytes(): Uint8Array { return new Uint8Array(this.memory.buffer); }
  ram(): Uint8Array { return new Uint8Array(this.memory.buffer, this.x.layoutRamBase()); }
  inb(p: number): number { return this.x.storageTestPortIn(p, 1); }
  inw(p: number): number { return this.x.storageTestPortIn(p, 2); }
  ind(p: number): number { return this.x.storageTestPortIn(p, 4) >>> 0; }
  outb(p: number, v: number): void { this.x.storageTestPortOut(p, 1, v); }
  outw(p: number, v: number): void { this.x.storageTestPortOut(p, 2, v); }
  outd(p: number, v: number): void { this.x.storageTestPortOut(p, 4, v); }
  attach(drive: number, kind: number, b?: BlockBackend): void {
    this.block.drives[drive] = b;
    const sectors = b ? b.size / 512 : 0;
    this.x.ideAttach(drive, kind, sectors >>> 0, Math.floor(sectors / 2 ** 32));
  }
  irq(line: number): boolean { return ((this.x.storageTestIrqLevels() >>> line) & 1) === 1; }
}

export { DRIVE };
