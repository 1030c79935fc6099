; SYSENTER / SYSEXIT (SDM vol. 2 SYSENTER, SYSEXIT; vol. 3 §5.8.7): flat CS/SS
; derived from IA32_SYSENTER_CS (08h: code0 10h: data0 1Bh: code3 23h: data3 in
; pm.inc's GDT), ESP/EIP from the MSRs, IF cleared; SYSEXIT to ring 3 with
; ESP = ECX, EIP = EDX; SYSEXIT at CPL 3 is #GP(0).
; The MSRs are written with WRMSR. Until WRMSR exists in RingZero the test
; harness presets the same values in the state block and the #UD handler here
; skips the WRMSR.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define SYSENTER_EIP_FLAT 0xfff00   ; the .sysent section below
%define SYSENTER_ESP      0x6800

main:
  mov sp, 0x7000
  PM_ENTER
  SET_GATE 6, SEL_CODE0, skip_wrmsr, GATE_INT32
  SET_GATE 0x82, SEL_CODE0, finish, GATE_INT32 | DPL3
  xor edx, edx
  mov ecx, 0x174
  mov eax, SEL_CODE0
  wrmsr
  mov ecx, 0x175
  mov eax, SYSENTER_ESP
  wrmsr
  mov ecx, 0x176
  mov eax, SYSENTER_EIP_FLAT
  wrmsr
  TO_RING3 r3

bits 32
r3:
  mov ax, SEL_DATA3         ; DS was nulled by the IRET to ring 3
  mov ds, ax
  PPUTS "r3 sysenter"
  call pnl
  mov ecx, 0x8800           ; ring-3 ESP for SYSEXIT
  mov edx, r3_back + 0xf0000
  sysenter

r3_back_far:
  PPUTS "r3 after sysexit cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  PPUTS " esp="
  mov eax, esp
  call phex32
  call pnl
  SET_RESUME .f1
  sysexit                   ; CPL 3: #GP(0)
.f1:
  SET_RESUME 0
  int 0x82

; SYSEXIT lands here with flat CS 1Bh (base 0): back to the ROM-based CS 1Bh.
r3_back:
  jmp SEL_CODE3:r3_back_far

sysenter_target:
  PPUTS "sysenter cs="
  mov ax, cs
  call phex16
  PPUTS " ss="
  mov ax, ss
  call phex16
  PPUTS " esp="
  mov eax, esp
  call phex32
  pushfd
  pop eax
  and eax, 0x000f7702
  PPUTS " efl="
  call phex32
  call pnl
  sysexit

skip_wrmsr:
  add dword [esp], 2
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

; SYSENTER lands here with flat CS 08h (base 0): continue with the ROM-based CS.
section .sysent start=0xff00
bits 32
  jmp SEL_CODE0:sysenter_target
section .text
ROM_END
