; Protected mode basics: enter and leave protected mode, descriptor-table
; instructions (SGDT/SIDT/STR/SLDT/LLDT), LAR/LSL/VERR/VERW/ARPL on many
; descriptor kinds, segment-load faults with their error codes (#GP/#NP/#SS),
; far JMP faults (segment limit and type checks on data accesses are in
; pm_limits.asm: QEMU does not make them), IDT gate faults (#GP/#NP with IDT-bit error codes), BOUND.
%include "lib/rom.inc"
%include "lib/pm.inc"

; extra descriptors for this test
%define S_CGATE   0x40   ; call gate (LAR yes, LSL no)
%define S_LDT     0x48   ; LDT at 4000h, limit 0Fh
%define S_NPDATA  0x50   ; not-present data
%define S_EXPDN   0x58   ; expand-down data, limit 0FFFh, DPL 3
%define S_XONLY   0x60   ; execute-only code
%define S_CONF3   0x68   ; conforming readable code, DPL 3
%define S_NPSTACK 0x70   ; not-present writable data (for SS)
%define S_SMALLSS 0x78   ; writable data, limit 7FFFh (stack-fault test)
%define S_DATA3RO 0x80   ; read-only data DPL 3
%define S_TSS16   0x88   ; available 16-bit TSS

main:
  mov sp, 0x7000
  PM_ENTER
  PPUTS "pm cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  call pnl

  SET_GATE_DESC S_CGATE, SEL_CODE0, 0x1234, GATE_CALL32 | DPL3, 3
  SET_DESC S_LDT, 0x4000, 0xf, ACC_LDT, 0
  SET_DESC S_NPDATA, 0, 0xffff, 0x12, FL_32
  SET_DESC S_EXPDN, 0, 0xfff, 0xf6, FL_32
  SET_DESC S_XONLY, 0xf0000, 0xffff, 0x98, FL_32
  SET_DESC S_CONF3, 0xf0000, 0xffff, 0xfe, FL_32
  SET_DESC S_NPSTACK, 0, 0xffff, 0x12, FL_32
  SET_DESC S_SMALLSS, 0, 0x7fff, ACC_DATA0, FL_32
  SET_DESC S_DATA3RO, 0x12345, 0x2ffff, 0xf0, FL_32G
  SET_DESC S_TSS16, TSS_A, 0x2b, ACC_TSS16, 0

  ; --- SGDT / SIDT / STR / SLDT ---
  sgdt [PM_SCRATCH]
  PPUTS "sgdt "
  mov ax, [PM_SCRATCH]
  call phex16
  PPUTS " "
  mov eax, [PM_SCRATCH + 2]
  call phex32
  sidt [PM_SCRATCH]
  PPUTS " sidt "
  mov ax, [PM_SCRATCH]
  call phex16
  PPUTS " "
  mov eax, [PM_SCRATCH + 2]
  call phex32
  mov eax, 0xffffffff
  str eax
  PPUTS " str "
  call phex32
  mov ax, S_LDT
  lldt ax
  mov eax, 0xffffffff
  sldt eax
  PPUTS " sldt "
  call phex32
  mov word [PM_SCRATCH], 0x5555
  sldt [PM_SCRATCH]
  mov ax, [PM_SCRATCH]
  PPUTS " "
  call phex16
  call pnl
  ; TSS0's descriptor is now busy (type 0Bh)
  PPUTS "tss0 acc="
  mov al, [GDT_BASE + SEL_TSS0 + 5]
  call phex8
  call pnl

  ; --- LAR / LSL / VERR / VERW over a table of selectors ---
  xor esi, esi
.sel_loop:
  xor ebx, ebx
  mov bx, [cs:sel_table + esi * 2]
  mov ax, bx
  call phex16
  PPUTS ": lar "
  mov eax, 0xeeeeeeee
  lar eax, ebx
  ZF_TO cl
  call phex32
  mov al, cl
  PPUTS "/"
  call phex8
  PPUTS " lsl "
  mov eax, 0xeeeeeeee
  lsl eax, ebx
  ZF_TO cl
  call phex32
  mov al, cl
  PPUTS "/"
  call phex8
  PPUTS " lar16 "
  mov eax, 0xeeeeeeee
  lar ax, bx
  call phex32
  PPUTS " verr "
  verr bx
  ZF_TO al
  call phex8
  PPUTS " verw "
  verw bx
  ZF_TO al
  call phex8
  call pnl
  add esi, 1
  cmp esi, (sel_table_end - sel_table) / 2
  jne .sel_loop

  ; --- ARPL ---
  mov ax, 0x0010
  mov bx, 0x0003
  arpl ax, bx
  ZF_TO cl
  PPUTS "arpl "
  call phex16
  mov al, cl
  PPUTS "/"
  call phex8
  mov ax, 0x0013
  mov bx, 0x0001
  arpl ax, bx
  ZF_TO cl
  PPUTS " "
  call phex16
  mov al, cl
  PPUTS "/"
  call phex8
  call pnl

  ; --- segment load faults (resume after each) ---
  SET_RESUME .f1
  mov ax, S_NPDATA
  mov ds, ax                ; #NP(50h)
.f1:
  SET_RESUME .f2
  mov ax, SEL_DATA3
  mov ss, ax                ; #GP(20h): RPL/DPL != CPL
.f2:
  SET_RESUME .f3
  mov ax, 0x400
  mov es, ax                ; #GP(400h): beyond the GDT limit
.f3:
  SET_RESUME .f4
  xor ax, ax
  mov ss, ax                ; #GP(0): null SS
.f4:
  SET_RESUME .f5
  mov ax, SEL_TSS0
  mov fs, ax                ; #GP(28h): system descriptor
.f5:
  SET_RESUME .f6
  mov ax, S_XONLY
  mov gs, ax                ; #GP(60h): execute-only code
.f6:
  SET_RESUME .f7
  mov ax, S_NPSTACK
  mov ss, ax                ; #SS(70h)
.f7:
  SET_RESUME .f11
  jmp SEL_DATA0:0           ; #GP(10h)
.f11:
  SET_RESUME .f12
  jmp SEL_CODE0:0x12345     ; #GP(0): beyond CS limit
.f12:
  SET_RESUME .f13
  jmp SEL_CODE3:0           ; #GP(18h): non-conforming DPL != CPL
.f13:
  SET_RESUME .f14
  int 0x90                  ; #GP(482h): empty IDT entry
.f14:
  SET_GATE 0x91, SEL_CODE0, .f15, 0x0e   ; present bit clear
  SET_RESUME .f15
  int 0x91                  ; #NP(48Ah)
.f15:
  mov word [PM_SCRATCH + 8], 0x7ff
  mov dword [PM_SCRATCH + 10], IDT_BASE
  mov word [PM_SCRATCH], 0x100 * 8 - 9
  mov dword [PM_SCRATCH + 2], IDT_BASE
  lidt [PM_SCRATCH]
  SET_RESUME .f16
  int 0xff                  ; beyond the IDT limit: #GP(7FAh)
.f16:
  lidt [PM_SCRATCH + 8]
  SET_RESUME .f17
  mov eax, 5
  bound eax, [cs:bounds]    ; in range: no fault
  PPUTS "bound ok"
  call pnl
  mov eax, 11
  bound eax, [cs:bounds]    ; #BR
.f17:
  SET_RESUME .f18
  mov ax, S_TSS16
  ltr ax                    ; loads (and marks busy) a 16-bit TSS
  PPUTS "ltr16 acc="
  mov al, [GDT_BASE + S_TSS16 + 5]
  call phex8
  call pnl
  mov ax, S_TSS16
  ltr ax                    ; #GP(88h): busy
.f18:
  SET_RESUME 0
  PM_LEAVE
  PUTS "real mode again"
  call putnl
  EXIT 0

section .rodata
sel_table:
  dw 0, SEL_CODE0, SEL_DATA0, SEL_CODE3, SEL_DATA3, SEL_DATA3 & 0xfff8, SEL_TSS0
  dw SEL_CODE16, S_CGATE, S_LDT, S_NPDATA, S_EXPDN, S_XONLY, S_CONF3, S_CONF3 & 0xfff8
  dw S_DATA3RO, S_TSS16, 0x400, 0x3f8, SEL_DATA0 | 3, 0x44
sel_table_end:
bounds: dd -3, 10
section .text
ROM_END
