// Types for tools/opmap.mjs (read by tests/unit/jitdecode.test.ts).
export interface OpEntry { handler: string; sized: boolean; args: string; flags: Set<string> }
export type OpMapEntry = { simple: OpEntry; group?: undefined } | { simple?: undefined; group: Map<number, OpEntry> };
export interface Immediate { flag: string; fetch: string; bytes(osz: number, asz: number): number }
export const PREFIXES: Set<number>;
export const IMMEDIATES: Immediate[];
export function immediateOf(entry: OpEntry): Immediate | undefined;
export function emitterOf(entry: OpEntry, osz: number): string | undefined;
export function opcodeMap(): Map<number, OpMapEntry>;
