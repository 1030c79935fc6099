// Constants the translator shares with the machine: the EFLAGS arithmetic bits
// (asm/cpu/state.ts) and the lazy-flag operation kinds (asm/cpu/flags.ts).

export const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const K_ADD = 0, K_SUB = 2, K_LOGIC = 4; // LAZY_ADD, LAZY_SUB, LAZY_LOGIC; ADC1 = 1, SBB1 = 3
