; Hot block starts that share one set of the block cache (asm/cpu/jit.ts
; setOf, countNew) are all translated, even when the set already holds a
; translation and two starts counted moderately that never run again.
; jit.test.ts runs this with a threshold of 100 and reads the cache.
;
; Six routines of three instructions (ROL, ADD, RET: a run counts 1, and
; weighCounted adds 3 >> 2 = 0) are copied to physical addresses whose host
; addresses (RAM_BASE 3000000h + physical) hash alike: (host * 9E3779B1h) >>> 17
; is 22280 for all six, so they share a set with 4 ways (hash & ~3) and also
; with the 2 ways of the old policy (hash & ~1). Found by a search of 1-4 MiB
; in steps of 16 for the hash of 100000h's host address; jit.test.ts
; recomputes it from web/jit/constants.ts and checks that they still share one.
;   1. T, 150 calls: translated (from about its 101st).
;   2. M1, 75 calls, then M2, 49 calls (the old counts the shell loop had,
;      docs/PERFORMANCE.md), never again: the set holds T translated, M1 and
;      M2 counted (about 74 and 49), one slot free. Prints "warm" and the sum,
;      then spins 60000 instructions, while the test looks at the set.
;   3. 2000 rounds of T, A, B, C: three hot starts for the one free slot.
;      With aging (each miss lowers the other counted starts by one) M2 makes
;      way after about 16 rounds of three misses, M1 after about 25; then A,
;      B and C count up in their own slots and are translated by about round
;      130, some 15 times over in 2000.
;      The old policies, the same calls (tried on builds of them: the 2-way
;      one fails the test's check of the set before the rounds, M2 having
;      taken M1's slot; 4 ways without aging fail its check at the end):
;      - 2 ways (T's translation in one slot): A, B and C take the other from
;        each other at every call, each back to count 1, never translated;
;        aging or not, there is one slot to take.
;      - 4 ways, no aging: M1 (~74) and M2 (~49) keep their slots for ever; A,
;        B and C take the free one from each other (a new start's count 1 is
;        the least), never translated.
;      So the test needs both the four ways and the aging.
;   Prints "sum" and EAX, which every call changed.
; A20 is switched on first: the addresses have bit 20 set.
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"
%include "jit-sets.inc"

R_T  equ 0x100000
R_M1 equ 0x14cb80
R_M2 equ 0x199700
R_A  equ 0x1e6280
R_B  equ 0x232e00
R_C  equ 0x27f980

main:
  jmp pm_enter

bits 32
main32:
  A20_ON
  COPY rt, R_T
  COPY rm1, R_M1
  COPY rm2, R_M2
  COPY ra, R_A
  COPY rb, R_B
  COPY rc, R_C
  mov eax, 0x12345678
  ; 1. T hot, 2. M1 and M2 moderate
  CALLS R_T, 150
  CALLS R_M1, 75
  CALLS R_M2, 49
  PUTS32 "warm"
  HEX32_32 eax
  call putnl32
  mov ecx, 30000
.spin:
  dec ecx
  jnz .spin
  ; 3. T, A, B, C in turn
  mov ebx, 2000
.round:
  mov edx, R_T
  call edx
  mov edx, R_A
  call edx
  mov edx, R_B
  call edx
  mov edx, R_C
  call edx
  dec ebx
  jnz .round
  PUTS32 "sum"
  HEX32_32 eax
  call putnl32
  EXIT 0

ROUTINE rt, 1, 0x9e3779b1
ROUTINE rm1, 3, 0x01000193
ROUTINE rm2, 5, 0x7feb352d
ROUTINE ra, 7, 0x846ca68b
ROUTINE rb, 11, 0x2c1b3c6d
ROUTINE rc, 13, 0x297a2d39
  align 16, db 0xcc

  ROM_END
