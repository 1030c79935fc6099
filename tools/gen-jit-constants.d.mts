// Types for tools/gen-jit-constants.mjs (read by tests/unit/jitconstants.test.ts).
export interface SharedConstant { value: number; file: string; comment: string }
export const SHARED: [file: string, names: string[]][];
export function sharedConstants(root?: string): Map<string, SharedConstant>;
export function constantsSource(root?: string): string;
