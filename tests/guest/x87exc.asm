; x87 exception reporting: #MF (CR0.NE=1) on the next waiting instruction,
; the legacy path (CR0.NE=0, no #MF), and #NM for CR0.EM / CR0.TS / CR0.MP.
; After setting up the IVT the program waits for the host (x87.test.ts) to set
; CR0, write the scenario number to 0x7F00 and set GO (0x7F01).
%include "lib/rom.inc"
%include "x87lib.inc"

SCEN equ 0x7f00
NMRET equ 0x7f02        ; where the #NM handler continues
TMPIP equ 0x7f04
GO equ 0x7f01

; real-mode "IRET" without IRET (CS is always F000 here)
%macro IRET_TO 1
  pop word [TMPIP]      ; IP
  add sp, 2             ; CS
  popf
  jmp word [%1]
%endmacro

main:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [16 * 4], mf_handler
  mov word [16 * 4 + 2], 0xf000
  mov word [7 * 4], nm_handler
  mov word [7 * 4 + 2], 0xf000
.spin:                  ; the host sets CR0 and the scenario, then GO
  cmp byte [GO], 0
  je .spin
  mov al, [SCEN]
  cmp al, 1
  je near_mf
  cmp al, 2
  je near_legacy
  cmp al, 3
  je near_em
  cmp al, 4
  je near_tsmp
  cmp al, 5
  je near_ts
  cmp al, 6
  je near_pm
  PUTS "no scenario"
  EXIT 1
near_mf: jmp scen_mf
near_legacy: jmp scen_legacy
near_em: jmp scen_em
near_tsmp: jmp scen_tsmp
near_ts: jmp scen_ts
near_pm: jmp scen_pm

mf_handler:
  PUTS " #MF"
  SW
  fnclex
  pop word [TMPIP]      ; back to the faulting instruction
  add sp, 2
  popf
  jmp word [TMPIP]

nm_handler:
  PUTS " #NM"
  IRET_TO NMRET

; --- CR0.NE = 1 ---
scen_mf:
  PUTS "mf:"
  fninit
  SETCW 0x037b          ; ZE unmasked
  fld1
  fldz
  fdivp st1, st0        ; unmasked ZE: pending, no fault yet
  SW
  PUTS " fld1"
  fld1                  ; waiting instruction: #MF here, handler clears, re-executes
  SW
  fldz
  fdivp st1, st0        ; pending again
  PUTS " no-wait"
  fnstsw [RES]          ; no-wait forms do not fault
  fnstcw [RES]
  fnstenv [BUF]
  PUTS " fwait"
  fwait                 ; #MF
  PUTS " fninit"
  fld1
  fldz
  fdivp st1, st0
  fninit                ; clears it: nothing reported
  fld1
  SETCW 0x037e          ; IE unmasked
  fld dword [cs:snan32] ; SNaN load: IE, nothing loaded
  SW
  PUTS " fstp"
  fstp qword [RES]      ; #MF first, then stores 1.0
  DUMP RES, 8
  SETCW 0x0340          ; all unmasked: PE leaves the result stored
  fld1
  fld qword [cs:three]
  fdivp st1, st0
  fnstsw [RES]
  DUMP RES, 2
  fnclex
  fstp tword [RES]
  DUMP RES, 10
  SETCW 0x037f          ; unmasking a pending flag with FLDCW sets ES
  fld1
  fld qword [cs:three]
  fdivp st1, st0        ; PE, masked
  SW
  SETCW 0x035f
  SW
  PUTS " fnop"
  fnop                  ; #MF
  PUTS " end"
  EXIT 0

; --- CR0.NE = 0: FERR#/IRQ13, no #MF ---
scen_legacy:
  PUTS "legacy:"
  fninit
  SETCW 0x037b
  fld1
  fldz
  fdivp st1, st0
  fld1                  ; no #MF: the IRQ13 hook is called, the instruction runs
  fwait
  SW
  fnclex
  SW
  PUTS " end"
  EXIT 0

; --- CR0.EM = 1: every x87 instruction #NM, WAIT does not ---
scen_em:
  PUTS "em:"
  mov word [NMRET], .a
  fninit
.a:
  mov word [NMRET], .b
  fld1
.b:
  mov word [NMRET], .c
  fnstsw ax
.c:
  PUTS " wait"
  fwait
  PUTS " end"
  EXIT 0

; --- CR0.TS = 1, MP = 1: x87 and WAIT #NM ---
scen_tsmp:
  PUTS "tsmp:"
  mov word [NMRET], .a
  fld1
.a:
  PUTS " wait"
  mov word [NMRET], .b
  fwait
.b:
  PUTS " end"
  EXIT 0

; --- CR0.TS = 1, MP = 0: x87 #NM, WAIT runs ---
scen_ts:
  PUTS "ts:"
  mov word [NMRET], .a
  fnop
.a:
  PUTS " wait"
  fwait
  PUTS " end"
  EXIT 0

; --- CR0.PE = 1 (set by the host; segment caches keep their real-mode
; contents): protected-mode FSTENV/FSAVE layouts with selector and offset ---
scen_pm:
  PUTS "pm:"
  fninit
  fld qword [cs:three]
  fadd st0, st0
  fnstenv [BUF]
  DUMP BUF, 14
  o32 fnstenv [BUF]
  DUMP BUF, 28
  o32 fnsave [BUF2]
  fld1
  o32 frstor [BUF2]
  o32 fnstenv [BUF]
  DUMP BUF, 28
  fstp tword [RES]
  DUMP RES, 10
  fnsave [BUF2]
  frstor [BUF2]
  fnstenv [BUF]
  DUMP BUF, 14
  PUTS " end"
  EXIT 0

section .rodata
snan32: dd 0x7f800001
three: dq 3.0
section .text
ROM_END
