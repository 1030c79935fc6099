// Types for tools/opmap.mjs (read by tests/unit/jitdecode.test.ts and web/host/disasm.ts).
export type MandatoryPrefix = "NP" | "66" | "F3" | "F2";
export interface OpEntry { handler: string; sized: boolean; args: string; flags: Set<string>; prefix?: MandatoryPrefix }
export type OpSlot = { simple: OpEntry; group?: undefined } | { simple?: undefined; group: Map<number, OpEntry> };
export type OpMapEntry =
  | (OpSlot & { mandatory?: undefined })
  | { simple?: undefined; group?: undefined; mandatory: Map<MandatoryPrefix, OpSlot> };
export interface Immediate { flag: string; fetch: string; bytes(osz: number, asz: number): number }
export const PREFIXES: Set<number>;
export const IMMEDIATES: Immediate[];
export const MANDATORY_PREFIXES: Map<MandatoryPrefix, number>;
export function immediateOf(entry: OpEntry): Immediate | undefined;
export function emitterOf(entry: OpEntry, osz: number, code16?: boolean, rep?: number): string | undefined;
export function opcodeMap(): Map<number, OpMapEntry>;
export function slotFor(ops: Map<number, OpMapEntry>, op: number, pfx: MandatoryPrefix): OpSlot | undefined;
export function allEntries(ops: Map<number, OpMapEntry>): OpEntry[];
