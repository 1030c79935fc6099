; The event timeline (asm/cpu/events.ts, web/host/events.ts): a program whose
; events are known from its text, in order -
;   INT 60h in real mode; CR0.PE set; CR3 loaded; CR0.PG set; a #PF (read of a
;   linear address with no PDE: error code 0, CR2 400000h); IRET to ring 3;
;   INT 80h from ring 3 through a DPL 3 interrupt gate to ring 0.
; It prints the EIPs the test checks the events against.
%include "lib/rom.inc"
%include "lib/pm.inc"

main:
  mov sp, 0x7000
  xor ax, ax
  mov ds, ax
  mov word [0x60 * 4], rm_iret
  mov word [0x60 * 4 + 2], 0xf000
  int 0x60
  PM_ENTER
  mov dword [0x10000], 0x87          ; PDE 0: 4 MiB page at 0, P RW US PS
  mov dword [0x10004], 0             ; PDE 1: not present
  mov eax, cr4
  or eax, 0x10                       ; PSE
  mov cr4, eax
  mov eax, 0x10000
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  SET_RESUME after_pf
pf_insn:
  mov eax, [0x00400000]
after_pf:
  SET_RESUME 0
  PPUTS "pf "
  mov eax, pf_insn
  call phex32
  SET_GATE 0x80, SEL_CODE0, r0_syscall, GATE_INT32 | DPL3
  PPUTS " r3 "
  mov eax, r3
  call phex32
  PPUTS " ret "
  mov eax, after_int
  call phex32
  call pnl
  TO_RING3 r3
r3:
  int 0x80
after_int:
  jmp after_int
r0_syscall:
  PPUTS "ring0"
  call pnl
  EXIT 0

bits 16
rm_iret:
  iret
ROM_END
