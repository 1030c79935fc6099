; INIT in VMX operation under -cpu coreduo,+vmx (SDM vol. 3 §23.8, §25.2, §27.2,
; §27.3.4; VMXOFF in vol. 3 ch. 30): the local APIC's INIT IPI
;   - in VMX non-root operation: a VM exit, reason 3 (INIT signal), and nothing
;     of the INIT reset (the APIC keeps its state); the exit consumes it;
;   - in VMX root operation: blocked, held; the next VM entry exits with it
;     before any guest instruction (here into the HLT activity state);
;   - held in root operation until VMXOFF, which unblocks it: the INIT reset,
;     and the program starts again at the reset vector (memory is kept: a mark
;     in RAM tells the second start) and prints what INIT left.
; vmxinit.test.ts holds the expected output, worked out from the SDM (no
; reference machine has VMX). Each VM exit prints "exit REASON QUAL RIP INFO
; vec V act A ib IB apic SVR TPR": RIP relative to guest_code, INFO the exit
; interruption information, V the IDT-vectoring information, A the guest
; activity state and IB the interruptibility state saved, then the host's view
; of its local APIC after the exit.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN init_main
%include "sys-pm.inc"
cpu any

VMXON_R  equ 0x20000   ; the VMXON region
VMCS_A   equ 0x21000   ; the VMCS
PD       equ 0x23000   ; page directory: 4-MiB pages, identity
SCRATCH  equ 0x24000
MARK     equ 0xb000    ; MAGIC once the program has started (real mode, DS = 0)
MAGIC    equ 0x54494e49
%include "vmx-lib.inc"

LAPIC    equ 0xfee00000
VEC_INFO equ 0x4408    ; IDT-vectoring information
G_IB     equ 0x4824    ; guest interruptibility state
G_ACT    equ 0x4826    ; guest activity state
G_RSP    equ 0x681c
ICR_INIT equ 0x00004500 ; delivery mode INIT, edge, assert, physical, no shorthand
ICR_DEASSERT equ 0x000c8500 ; INIT level de-assert (level trigger, level 0): no INIT

; The guest's ICR write with a de-assert: "icr-deassert exit ... ecx ECX". A
; macro, not a routine: a VM exit resets the host's ESP (host_entry).
%macro ICR_DEASSERT_RUN 0
  PUTS32 "icr-deassert "
  VMW G_RIP, guest_icr + ROMB
  mov ebx, ICR_DEASSERT
  xor ecx, ecx
  call resume_len
  mov [SCRATCH + 0x40], ecx
  call print_exit
  call print_ecx
  call putnl32
%endmacro

main:
  xor ax, ax
  mov ds, ax
  cmp dword [MARK], MAGIC
  je restarted
  mov dword [MARK], MAGIC
  jmp pm_enter

; The second start: the INIT reset after VMXOFF (table 9-1).
restarted:
  mov sp, 0x7000
  PUTS "restart cr0 "
  mov eax, cr0
  call puthex32
  PUTS " cr4 "
  mov eax, cr4
  call puthex32
  PUTS " fc "
  mov ecx, 0x3a
  rdmsr
  call puthex32
  PUTS " apic_base "
  mov ecx, 0x1b
  rdmsr
  call puthex32
  call putnl
  EXIT 0

bits 32
init_main:
  ; paging (CR0.PG is fixed to 1 in VMX operation): 0-4 MiB, and the 4 MiB
  ; holding the local APIC (PCD, writable, present), which the guest (on the
  ; same CR3) reaches too; CR4.VMXE; IA32_FEATURE_CONTROL
  VMX_HOST_SETUP PD, CR4_VMXE | CR4_PSE, fc_last, LAPIC, 0xfec00093
  ; the local APIC: software enabled, TPR 10H (an INIT reset would clear both)
  mov dword [LAPIC + 0xf0], 0x1ff
  mov dword [LAPIC + 0x80], 0x10
  mov dword [LAPIC + 0x310], 0  ; destination: APIC ID 0, this CPU

  mov dword [VMXON_R], 0x52
  mov dword [VMCS_A], 0x52
  mov dword [SCRATCH], VMXON_R
  mov dword [SCRATCH + 4], 0
  vmxon [SCRATCH]
  mov dword [SCRATCH], VMCS_A
  vmclear [SCRATCH]
  vmptrld [SCRATCH]
  call setup_vmcs

  ; --- the guest sends itself INIT: a VM exit, reason 3
  PUTS32 "nonroot"
  VMW G_RIP, guest_init + ROMB
  NEXT_EXIT .nonroot
  vmlaunch
  PUTS32 " launch failed"
  FL
  ERR
  call putnl32
  EXIT 1
.nonroot:
  call print_init
  call putnl32
  ; the exit consumed the INIT: the guest runs on to its VMCALL
  PUTS32 "consumed "
  VMW G_RIP, guest_done + ROMB
  call resume_len
  call print_exit
  call putnl32

  ; --- the same ICR write run three times (from a translated block from the
  ; second time on when the test translates: the guest's backward JMP makes
  ; the write a block start, translated at its second execution with
  ; threshold 1): a de-assert twice (no INIT: the guest's INC and VMCALL run),
  ; then an INIT, taken right after the write, before the INC
  ICR_DEASSERT_RUN
  ICR_DEASSERT_RUN
  PUTS32 "icr-init"
  VMW G_RIP, guest_icr + ROMB
  mov ebx, ICR_INIT
  xor ecx, ecx
  call resume_len
  mov [SCRATCH + 0x40], ecx
  call print_init
  call print_ecx
  call putnl32

  ; --- INIT in root operation: blocked, held
  mov dword [LAPIC + 0x300], ICR_INIT
  mov ecx, 200000
.spin:
  dec ecx
  jnz .spin
  PUTS32 "root: running"
  call putnl32
  ; the next VM entry (into the HLT state) exits with it at once
  PUTS32 "entry-hlt"
  VMW G_ACT, 1
  VMW G_RIP, guest_halted + ROMB
  call resume_len
  call print_init
  call putnl32
  VMW G_ACT, 0
  ; and nothing is left pending
  PUTS32 "consumed "
  VMW G_RIP, guest_done + ROMB
  call resume_len
  call print_exit
  call putnl32

  ; --- held until VMXOFF, which unblocks it: the INIT reset, a new start
  mov dword [LAPIC + 0x300], ICR_INIT
  mov ecx, 200000
.spin2:
  dec ecx
  jnz .spin2
  PUTS32 "vmxoff"
  call putnl32
  vmxoff
  mov ecx, 3000000
.wait:
  dec ecx
  jnz .wait
  PUTS32 "no INIT after vmxoff"
  call putnl32
  EXIT 1

; " exit REASON QUAL RIP INFO vec V act A ib IB apic SVR TPR"
print_init:
  call print_exit_short
  VMR G_RIP
  sub eax, guest_code + ROMB
  call sys_hex32_32
  VMR XINFO
  call sys_hex32_32
  PUTS32 " vec"
  VMR VEC_INFO
  call sys_hex32_32
  PUTS32 " act"
  VMR G_ACT
  call sys_hex32_32
  call print_ib
  PUTS32 " apic"
  mov eax, [LAPIC + 0xf0]
  call sys_hex32_32
  mov eax, [LAPIC + 0x80]
  call sys_hex32_32
  ret

print_ecx:                     ; " ecx" and the guest's ECX at the exit
  PUTS32 " ecx"
  mov eax, [SCRATCH + 0x40]
  call sys_hex32_32
  ret

; The guest (ring 0, flat, on the host's paging). Offsets from guest_code:
guest_code:
guest_init:                             ; +0: C7 05 disp32 imm32 (10 bytes)
  mov dword [LAPIC + 0x300], ICR_INIT
.spin:                                  ; +10: EB FE
  jmp .spin
guest_done:                             ; +12: 0F 01 C1
  vmcall
guest_halted:                           ; +15: entered in the HLT state
  vmcall
guest_icr:                              ; +18: EB 0A, over the block
  jmp .go
.block:
  mov [LAPIC + 0x300], ebx              ; +20: 89 1D disp32 (6 bytes): ICR := EBX
  inc ecx                               ; +26: 41
  vmcall                                ; +27: 0F 01 C1
.go:                                    ; +30: EB F2, back: a block starts at +20
  jmp .block

ROM_END
