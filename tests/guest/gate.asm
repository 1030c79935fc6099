; Gate and far-transfer checks with their error codes (SDM vol. 2 CALL, JMP, RET,
; IRET, INT n, LDS/LES/LFS/LGS/LSS; vol. 3 §6.13 EXT bit): call gates that are not
; present or not reachable, call-gate targets that are not code, RETF/IRET to
; ring 3 with a bad SS, IDT gates to not-present or non-code segments, an
; exception whose own delivery faults (EXT = 1 in the second error code), and
; far-pointer loads.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define S_CG_NP     0x40   ; call gate, not present
%define S_CG_DPL0   0x48   ; call gate DPL 0
%define S_CG_DATA   0x50   ; call gate whose target is a data segment
%define S_CODE_NP   0x58   ; code segment, not present
%define S_CG_OK     0x60   ; call gate DPL 3 -> ring 0
%define S_CODE3X    0x68   ; code DPL 3 (ring-3 target used from ring 0)

main:
  mov sp, 0x7000
  PM_ENTER
  SET_GATE_DESC S_CG_NP, SEL_CODE0, cg_target, 0x6c, 0
  SET_GATE_DESC S_CG_DPL0, SEL_CODE0, cg_target, GATE_CALL32, 0
  SET_GATE_DESC S_CG_DATA, SEL_DATA0, cg_target, GATE_CALL32 | DPL3, 0
  SET_DESC S_CODE_NP, 0xf0000, 0xffff, 0x1b, FL_32
  SET_GATE_DESC S_CG_OK, SEL_CODE0, cg_target, GATE_CALL32 | DPL3, 0
  SET_GATE 0x90, S_CODE_NP, cg_target, GATE_INT32 | DPL3
  SET_GATE 0x91, SEL_DATA0, cg_target, GATE_INT32 | DPL3
  SET_GATE 0x92, SEL_CODE0, r0_iret_bad, GATE_INT32 | DPL3
  SET_GATE 0x82, SEL_CODE0, finish, GATE_INT32 | DPL3

  ; --- ring 0 ---
  SET_RESUME .a1
  call S_CG_NP:0            ; #NP(40h)
.a1:
  SET_RESUME .a2
  call S_CG_DATA:0          ; #GP(10h): gate target is not code
.a2:
  SET_RESUME .a3
  call S_CODE_NP:0          ; #NP(58h)
.a3:
  SET_RESUME .a4
  int 0x90                  ; #NP(58h): handler segment not present
.a4:
  SET_RESUME .a5
  int 0x91                  ; #GP(10h): handler segment is data
.a5:
  ; an exception whose delivery faults: #UD through a gate to a non-present
  ; segment gives #NP(58h | EXT)
  SET_GATE 6, S_CODE_NP, cg_target, GATE_INT32
  SET_RESUME .a6
  ud2
.a6:
  SET_GATE 6, SEL_CODE0, pm_exc_6, GATE_INT32
  ; far pointer loads
  mov dword [PM_SCRATCH], 0x12345678
  mov word [PM_SCRATCH + 4], SEL_DATA3
  mov word [PM_SCRATCH + 8], 0x1234
  mov word [PM_SCRATCH + 10], SEL_DATA0
  lfs esi, [PM_SCRATCH]
  lgs di, [PM_SCRATCH + 8]
  PPUTS "lfs "
  mov ax, fs
  call phex16
  PPUTS ":"
  mov eax, esi
  call phex32
  PPUTS " lgs "
  mov ax, gs
  call phex16
  PPUTS ":"
  mov ax, di
  call phex16
  call pnl
  mov word [PM_SCRATCH + 4], S_CODE_NP
  SET_RESUME .a7
  mov esi, 0x55555555
  les esi, [PM_SCRATCH]     ; #NP(58h), ESI unchanged
.a7:
  PPUTS "esi="
  mov eax, esi
  call phex32
  call pnl
  mov word [PM_SCRATCH + 4], SEL_DATA3
  SET_RESUME .a8
  lss esp, [PM_SCRATCH]     ; #GP(20h): SS DPL 3 at CPL 0
.a8:
  SET_RESUME .a9
  push dword SEL_DATA0      ; SS RPL 0 for a return to ring 3
  push dword STACK3_TOP
  push dword SEL_CODE3
  push dword r3
  retf                      ; #GP(10h)
.a9:
  add esp, 16
  SET_RESUME 0
  TO_RING3 r3

bits 32
r3:
  mov ax, SEL_DATA3
  mov ds, ax
  PPUTS "r3"
  call pnl
  SET_RESUME .b1
  call S_CG_DPL0 | 3:0      ; gate DPL 0 < CPL 3: #GP(48h)
.b1:
  SET_RESUME .b2
  call S_CG_OK | 3:0        ; fine: returns below
  PPUTS "r3 back from gate"
  call pnl
.b2:
  SET_RESUME .b3
  int 0x92                  ; the handler IRETs to ring 3 with SS RPL 0: #GP(10h) at ring 0
.b3:
  SET_RESUME 0
  int 0x82

cg_target:
  PPUTS "cg_target cs="
  push eax
  mov ax, cs
  call phex16
  pop eax
  call pnl
  retf

r0_iret_bad:
  mov dword [esp + 16], SEL_DATA0   ; frame SS
  iretd

finish:
  mov ax, SEL_DATA0
  mov ds, ax
  mov es, ax
  mov fs, ax
  mov gs, ax
  mov esp, STACK0_TOP
  PM_LEAVE
  PUTS "real mode again"
  call putnl
  EXIT 0
ROM_END
