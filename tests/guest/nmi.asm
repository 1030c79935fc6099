; NMI delivery (SDM vol. 3 §6.7.1, §10.5.1, §10.6.1): NMIs raised by the local
; APIC's ICR (delivery mode NMI) and by LINT0 in NMI mode (the 8259A's INT
; output, as QEMU's pc machine wires it), taken with IF=0 through an interrupt
; gate, a trap gate, a task gate and the real-mode IVT; NMI blocking until IRET
; (a held NMI is taken once after IRET, a second one sent while one is held is
; lost); an NMI wakes HLT with IF=0.
;
; Interrupt delivery after an APIC register write is not instruction-exact in
; QEMU (it waits for the end of a translation block), so the program never
; prints where an NMI hit: it spins until the handler's counter moves, with a
; bound, and prints counters and frame fields.
%include "lib/rom.inc"
%include "lib/pm.inc"
%include "lib/pic.inc"

%define LAPIC      0xfee00000
%define NMI_COUNT  (PM_VARS + 0x40)
%define NMI_FRAME  (PM_VARS + 0x44)   ; EFLAGS image of the first frame
%define NMI_INSIDE (PM_VARS + 0x48)   ; count seen at the end of the first nested handler
%define S_TSSA     0x40
%define ICR_NMI    0x4400             ; delivery mode NMI (100b), level assert, physical, no shorthand

; WAIT_COUNT n: spin until [NMI_COUNT] >= n (32-bit code), or say "timeout".
%macro WAIT_COUNT 1
  mov ecx, 3000000
%%w:
  cmp dword [NMI_COUNT], %1
  jae %%ok
  dec ecx
  jnz %%w
  PPUTS "timeout"
  call pnl
%%ok:
%endmacro

; SPIN: give a pending NMI every chance to be taken (32-bit code).
%macro SPIN 0
  mov ecx, 200000
%%s:
  dec ecx
  jnz %%s
%endmacro

main:
  mov sp, 0x7000
  PM_ENTER
  mov dword [LAPIC + 0xf0], 0x1ff     ; APIC software enabled, spurious vector FFh
  mov dword [LAPIC + 0x310], 0        ; destination: APIC ID 0, this CPU

  ; --- 1: ICR NMI with IF=0 through an interrupt gate (vector 2)
  SET_GATE 2, SEL_CODE0, nmi_int, GATE_INT32
  mov dword [NMI_COUNT], 0
  mov dword [LAPIC + 0x300], ICR_NMI
  WAIT_COUNT 1
  SPIN
  PPUTS "icr nmi: count="
  mov eax, [NMI_COUNT]
  call phex32
  PPUTS " frame eflags="
  mov eax, [NMI_FRAME]
  and eax, 0x4302                     ; NT, IF, TF and the fixed bit 1
  call phex32
  call pnl

  ; --- 2: blocking until IRET, through a trap gate; the "all including self"
  ; shorthand sends it
  SET_GATE 2, SEL_CODE0, nmi_nest, GATE_TRAP32
  mov dword [NMI_COUNT], 0
  mov dword [LAPIC + 0x300], ICR_NMI | (2 << 18)
  WAIT_COUNT 2
  SPIN
  PPUTS "nested: inside="
  mov eax, [NMI_INSIDE]
  call phex32
  PPUTS " after="
  mov eax, [NMI_COUNT]
  call phex32
  call pnl

  ; --- 3: a task gate
  SET_DESC S_TSSA, TSS_A, 0x67, ACC_TSS32, 0
  mov dword [TSS_A + 0x1c], 0
  mov dword [TSS_A + 0x20], nmi_task
  mov dword [TSS_A + 0x24], 2
  mov dword [TSS_A + 0x38], 0x8800
  mov dword [TSS_A + 0x48], SEL_DATA0
  mov dword [TSS_A + 0x4c], SEL_CODE0
  mov dword [TSS_A + 0x50], SEL_DATA0
  mov dword [TSS_A + 0x54], SEL_DATA0
  mov dword [TSS_A + 0x58], SEL_DATA0
  mov dword [TSS_A + 0x5c], SEL_DATA0
  mov dword [TSS_A + 0x60], 0
  SET_GATE 2, S_TSSA, 0, GATE_TASK
  mov dword [NMI_COUNT], 0
  mov dword [LAPIC + 0x300], ICR_NMI
  WAIT_COUNT 1
  PPUTS "task: count="
  mov eax, [NMI_COUNT]
  call phex32
  PPUTS " tr="
  str ax
  call phex16
  PPUTS " tssa busy="
  mov al, [GDT_BASE + S_TSSA + 5]
  call phex8
  call pnl
  ; a second NMI through the same gate: the IRET ended the blocking
  mov dword [LAPIC + 0x300], ICR_NMI
  WAIT_COUNT 2
  PPUTS "task again: count="
  mov eax, [NMI_COUNT]
  call phex32
  call pnl

  ; --- 4: HLT with IF=0 woken by an NMI from LINT0: PIT channel 0 one-shot
  ; (mode 0) -> 8259A IR0 -> INT -> LVT LINT0 in NMI mode
  SET_GATE 2, SEL_CODE0, nmi_int, GATE_INT32
  mov dword [NMI_COUNT], 0
  mov al, 0x30                        ; channel 0, lobyte/hibyte, mode 0: OUT low
  out 0x43, al
  PIC_INIT                            ; IRR cleared
  mov al, 0xfe                        ; only IR0
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov dword [LAPIC + 0x350], 0x400    ; LINT0: NMI, unmasked
  mov al, 0x00
  out 0x40, al
  mov al, 0x20                        ; count 2000h: OUT rises about 7 ms later
  out 0x40, al
  hlt
  PPUTS "hlt woke: count="
  mov eax, [NMI_COUNT]
  call phex32
  PPUTS " frame eflags="
  mov eax, [NMI_FRAME]
  and eax, 0x4302                     ; NT, IF, TF and the fixed bit 1
  call phex32
  call pnl
  mov dword [LAPIC + 0x350], 0x10000  ; LINT0 masked again

  ; --- 5: real mode, IVT entry 2 (the APIC reached through a 4 GiB FS limit)
  PM_LEAVE
  mov eax, cr0
  or al, 1
  mov cr0, eax
  mov ax, SEL_DATA0
  mov fs, ax
  mov eax, cr0
  and al, 0xfe
  mov cr0, eax
  xor ax, ax
  mov fs, ax
  mov word [8], nmi_real
  mov word [10], 0xf000
  mov dword [NMI_COUNT], 0
  mov dword [fs:dword LAPIC + 0x300], ICR_NMI
  mov ecx, 3000000
.rw:
  cmp dword [NMI_COUNT], 1
  jae .rok
  a32 dec ecx
  jnz .rw
  PUTS "timeout"
.rok:
  PUTS "real: count="
  mov eax, [NMI_COUNT]
  call puthex32
  PUTS " frame flags="
  mov ax, [NMI_FRAME]
  and ax, 0x4302
  call puthex16
  call putnl
  EXIT 0

bits 32
; interrupt/trap gate handler: count, keep the frame's EFLAGS
nmi_int:
  add dword [NMI_COUNT], 1
  push eax
  mov eax, [esp + 12]
  mov [NMI_FRAME], eax
  pop eax
  iretd

; the first entry sends two more NMIs (the first is held, the second is lost)
; and waits; the held one arrives only after this IRET
nmi_nest:
  add dword [NMI_COUNT], 1
  cmp dword [NMI_COUNT], 1
  jne .out
  push ecx
  mov dword [LAPIC + 0x300], ICR_NMI
  SPIN
  mov dword [LAPIC + 0x300], ICR_NMI
  SPIN
  mov ecx, [NMI_COUNT]
  mov [NMI_INSIDE], ecx
  pop ecx
.out:
  iretd

; the NMI task: NT set, back link to TSS0; IRET returns to the interrupted task
nmi_task:
  add dword [NMI_COUNT], 1
  PPUTS "in task: link="
  mov ax, [TSS_A]
  call phex16
  PPUTS " nt="
  pushfd
  pop eax
  shr eax, 14
  and al, 1
  call phex8
  PPUTS " tr="
  str ax
  call phex16
  call pnl
  iretd
  jmp nmi_task

bits 16
nmi_real:
  push bp
  mov bp, sp
  push ax
  mov ax, [bp + 6]
  mov [NMI_FRAME], ax
  pop ax
  add dword [NMI_COUNT], 1
  pop bp
  iret

ROM_END
