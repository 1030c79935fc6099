; The monitor's `nmi` (tests/cli/nmi.test.ts): the machine's NMI input goes
; through LVT LINT1 while the local APIC is enabled in IA32_APIC_BASE, and
; straight to the CPU once it is disabled (QEMU's x86_nmi). First LINT1 is in
; fixed mode (vector 40h, IF=1); then in NMI mode and the CPU waits in HLT with
; IF=0; each interrupt prints a line; the host sends `nmi` after each "ready".
%include "lib/rom.inc"
%include "lib/pm.inc"

%define LAPIC      0xfee00000
%define NMI_COUNT  (PM_VARS + 0x40)

main:
  mov sp, 0x7000
  PM_ENTER
  SET_GATE 2, SEL_CODE0, nmi_handler, GATE_INT32
  SET_GATE 0x40, SEL_CODE0, fixed_handler, GATE_INT32
  mov dword [NMI_COUNT], 0
  mov dword [LAPIC + 0xf0], 0x1ff     ; APIC software enabled
  mov dword [LAPIC + 0x360], 0x40     ; LINT1: fixed, vector 40h, edge
  PPUTS "ready fixed"
  call pnl
  sti
.h:
  hlt
  jmp .h

fixed_handler:
  PPUTS "lint1 fixed, isr40="
  mov eax, [LAPIC + 0x120]            ; ISR bits 40h-5Fh
  call phex32
  call pnl
  mov dword [LAPIC + 0xb0], 0         ; EOI
  mov dword [LAPIC + 0x360], 0x400    ; LINT1: NMI, unmasked
  and dword [esp + 8], ~0x200         ; return with IF=0
  PPUTS "ready lint1"
  call pnl
  iretd

nmi_handler:
  add dword [NMI_COUNT], 1
  PPUTS "nmi "
  mov eax, [NMI_COUNT]
  call phex8
  call pnl
  cmp dword [NMI_COUNT], 1
  jne .done
  ; APIC off in IA32_APIC_BASE: the next NMI reaches the CPU directly
  mov ecx, 0x1b
  rdmsr
  and eax, ~0x800
  wrmsr
  PPUTS "ready direct"
  call pnl
  iretd
.done:
  EXIT 0

ROM_END
