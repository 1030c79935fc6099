; Probe: can RingZero run the protected-mode frame of sys-pm.inc (LGDT/LIDT, far
; JMP to 32-bit code, LTR, IDT delivery of a fault at CPL 0, IRETD to CPL 3 and
; INT 80H back through the TSS)? The paging-fault and fuzz tests run in
; RingZero only when this prints "probe ok".
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN probe_main
%include "sys-pm.inc"

main:
  jmp pm_enter
bits 32
probe_main:
  PUTS32 "ud2"
  TRY32
  ud2
  ENDTRY32
  PUTS32 " ring3"
  TRY32
  RING3 probe_u
  ENDTRY32
  mov eax, [VEC32]
  cmp eax, 0x80
  jne .bad
  PUTS32 " probe ok"
.bad:
  call putnl32
  EXIT 0
probe_u:
  mov ax, 0x23
  mov ds, ax
  int 0x80
bits 16
ROM_END
