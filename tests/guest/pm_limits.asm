; Segment limit and type checks on ordinary data accesses in protected mode
; (SDM vol. 3 §5.3, §5.5, §3.4.5.1): expand-down data, the SS limit (#SS(0)),
; a write to read-only data, a read of execute-only code, and a data access
; through a null selector. QEMU does not check these, so this ROM is run in
; RingZero only and compared with the expected output.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define S_EXPDN   0x58   ; expand-down data, limit 0FFFh, DPL 3
%define S_SMALLSS 0x78   ; writable data, limit 7FFFh
%define S_DATA3RO 0x80   ; read-only data DPL 3

main:
  mov sp, 0x7000
  PM_ENTER
  SET_DESC S_EXPDN, 0, 0xfff, 0xf6, FL_32
  SET_DESC S_SMALLSS, 0, 0x7fff, ACC_DATA0, FL_32
  SET_DESC S_DATA3RO, 0x12345, 0x2ffff, 0xf0, FL_32G

  SET_RESUME .f1
  mov ax, S_EXPDN | 3
  mov ds, ax
  mov eax, [0x1000]         ; above the limit: inside an expand-down segment
  mov eax, [0xfffffffc]
  PPUTS "expdn ok"
  call pnl
  mov eax, [0x0fff]         ; #GP(0): at or below the limit
.f1:
  mov ax, SEL_DATA0
  mov ds, ax
  SET_RESUME .f2
  mov ax, S_SMALLSS
  mov ss, ax
  mov eax, [esp + 0x0ffc]   ; 7FFCh: the last dword inside
  PPUTS "ss ok"
  call pnl
  mov eax, [esp + 0x0ffd]   ; #SS(0): crosses the SS limit
.f2:
  mov ax, SEL_DATA0
  mov ss, ax
  SET_RESUME .f3
  mov ax, S_DATA3RO
  mov es, ax
  mov eax, [es:0]
  mov [es:0], eax           ; #GP(0): read-only segment
.f3:
  SET_RESUME .f4
  mov eax, [cs:0]           ; readable code: fine
  mov [cs:0], eax           ; #GP(0): code is never writable
.f4:
  SET_RESUME .f5
  xor ax, ax
  mov es, ax                ; a null selector may be loaded ...
  PPUTS "null es loaded"
  call pnl
  mov eax, [es:0]           ; ... but not used: #GP(0)
.f5:
  SET_RESUME 0
  PM_LEAVE
  PUTS "done"
  call putnl
  EXIT 0
ROM_END
