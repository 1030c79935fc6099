; A hot block start whose block-cache set holds three translations takes the
; set's last way and keeps it, though another start passes through the set
; between its runs (asm/cpu/jit.ts countNew). jit.test.ts runs this with a
; threshold of 100 and reads the cache.
;
; Five routines of three instructions (ROL, ADD, RET: a run counts 1, and
; weighCounted adds 3 >> 2 = 0) at the physical addresses jit_sets.asm found
; for one set (its comment says how; jit.test.ts checks that they still share
; one):
;   1. T1, T2, T3, 150 calls each: translated, three of the set's four ways.
;   2. 300 rounds of H called 8 times, then P once.
;      Before: a newcomer took the least-counted way that held no translation
;      whatever its count, so P took H's way every round (the only one), and
;      H came back to count 1 the next: never past 8, never translated. The
;      shell loop had a start so, entered 2 M times a run (docs/PERFORMANCE.md,
;      "The last way of a set").
;      Now P only lowers H's count by one (it takes a way whose count has aged
;      to nothing): H is translated by about round 15, and then the set is
;      full and P not counted.
;   Prints "sum" and EAX, which every call changed.
; A20 is switched on first: the addresses have bit 20 set.
%include "lib/rom.inc"
cpu prescott
%include "sys-lib.inc"
%define PM_MAIN main32
%include "sys-pm.inc"
%include "jit-sets.inc"

R_T1 equ 0x100000
R_T2 equ 0x14cb80
R_T3 equ 0x199700
R_H  equ 0x1e6280
R_P  equ 0x232e00

main:
  jmp pm_enter

bits 32
main32:
  A20_ON
  COPY rt1, R_T1
  COPY rt2, R_T2
  COPY rt3, R_T3
  COPY rh, R_H
  COPY rp, R_P
  mov eax, 0x12345678
  ; 1. three translations in the set
  CALLS R_T1, 150
  CALLS R_T2, 150
  CALLS R_T3, 150
  ; 2. H hot, P passing through
  mov esi, 300
.round:
  CALLS R_H, 8
  mov edx, R_P
  call edx
  dec esi
  jnz .round
  PUTS32 "sum"
  HEX32_32 eax
  call putnl32
  EXIT 0

ROUTINE rt1, 1, 0x9e3779b1
ROUTINE rt2, 3, 0x01000193
ROUTINE rt3, 5, 0x7feb352d
ROUTINE rh, 7, 0x846ca68b
ROUTINE rp, 11, 0x2c1b3c6d
  align 16, db 0xcc

  ROM_END
