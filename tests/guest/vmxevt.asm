; VMX event details (SDM vol. 3 ch. 25-27) under -cpu coreduo,+vmx: what a VM
; exit reports about the guest's own events.
;   - "NMI unblocking due to IRET" (bit 12 of the exit interruption information,
;     §27.2.2) and the blocking left by an IRET that faults (§25.3, §27.1), with
;     virtual NMIs, without NMI exiting, and with NMI exiting alone;
;   - a fault while delivering INT n, INT3, INTO or INT1 executed by the guest:
;     the IDT-vectoring information and the instruction length (§27.2.3-4);
;   - INT1 (ICEBP) exiting as a privileged software exception (§25.2, §27.2.2).
; vmxevt.test.ts holds the expected output, worked out from the SDM (no
; reference machine has VMX).
;
; The guest runs at ring 0 on the host's GDT and paging with its own IDT (GIDT,
; a copy of the host's whose gates the tests take away). Each test prints its
; name and "exit REASON QUAL RIP INFO [err E] vec V [verr E] [len L] ib IB":
; RIP relative to guest_code, INFO the exit interruption information, E its
; error code when it has one (bit 11), V the IDT-vectoring information, L the
; exit instruction length (printed only where §27.2.4 defines it), IB the saved
; interruptibility state.
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "sys-lib.inc"
%define PM_MAIN evt_main
%include "sys-pm.inc"
cpu any

VMXON_R  equ 0x20000   ; the VMXON region
VMCS_A   equ 0x21000   ; the VMCS
PD       equ 0x23000   ; page directory: one 4 MiB page, identity
SCRATCH  equ 0x24000
GIDT     equ 0x4000    ; the guest's IDT (256 gates, 800H bytes)
PFLAGS   equ 0x680     ; print_event's options: PF_LEN, PF_NO12
PF_LEN   equ 1         ; print the exit instruction length
PF_NO12  equ 2         ; bit 12 of INFO is undefined here: print it as 0
PF_VALID equ 4         ; INFO is only its valid bit here (not a vectored event)
TSS2     equ 0x3100    ; a second TSS, for the task gate
%include "vmx-lib.inc"

VEC_INFO equ 0x4408    ; IDT-vectoring information
VEC_ERR  equ 0x440a    ; IDT-vectoring error code
G_RSP    equ 0x681c
G_IB     equ 0x4824    ; guest interruptibility state
G_IDTR   equ 0x6818

%macro GATE_P 2           ; present bit of the guest's gate %1: %2 = 0 or 1
%if %2
  or byte [GIDT + (%1) * 8 + 5], 0x80
%else
  and byte [GIDT + (%1) * 8 + 5], 0x7f
%endif
%endmacro
%macro RUN 3              ; name %1, guest entry %2, print_event options %3
  PUTS32 %1
  mov dword [PFLAGS], %3
  VMW G_RIP, %2 + ROMB
  VMW G_RSP, GSTACK
  VMW 0x6820, 0x2
  call resume_len
  call print_event
  call putnl32
%endmacro

main:
  jmp pm_enter

bits 32
evt_main:
  ; paging (CR0.PG is fixed to 1 in VMX operation), CR4.VMXE, IA32_FEATURE_CONTROL
  VMX_HOST_SETUP PD, CR4_VMXE | CR4_PSE, fc_last
  ; the guest's IDT: the host's gates, copied
  mov esi, IDT_A
  mov edi, GIDT
  mov ecx, 0x200
  rep movsd

  mov dword [VMXON_R], 0x52
  mov dword [VMCS_A], 0x52
  mov dword [SCRATCH], VMXON_R
  mov dword [SCRATCH + 4], 0
  vmxon [SCRATCH]
  mov dword [SCRATCH], VMCS_A
  vmclear [SCRATCH]
  vmptrld [SCRATCH]
  call setup_vmcs
  VMW G_IDTR, GIDT
  ; a TSS for the task gates (the exit comes before anything of it is read)
  mov dword [GDT_A + 0x30], ((TSS2 & 0xffff) << 16) | 0x67   ; an available 32-bit TSS
  mov dword [GDT_A + 0x34], 0x00008900
  VMW 0x4810, 0x37
  VMW EXCBMP, 1 << 13           ; #GP
  PUTS32 "launch "
  NEXT_EXIT .launched
  vmlaunch
  PUTS32 "launch failed"
  FL
  ERR
  call putnl32
  EXIT 1
.launched:
  call print_exit
  call putnl32

  ; --- an IRET that faults: #GP(1238H), in the exception bitmap ---
  ; virtual NMIs, virtual-NMI blocking before the IRET
  VMW PIN, 0x16 | 0x08 | 0x20
  VMW G_IB, 8
  RUN "iret-vnmi", guest_iret, 0
  ; virtual NMIs, no blocking before the IRET
  VMW G_IB, 0
  RUN "iret-vnmi-open", guest_iret, 0
  ; neither NMI exiting nor virtual NMIs, blocking by NMI before the IRET
  VMW PIN, 0x16
  VMW G_IB, 8
  RUN "iret-nmi", guest_iret, 0
  ; NMI exiting alone: the IRET leaves blocking by NMI; bit 12 is undefined
  VMW PIN, 0x16 | 0x08
  VMW G_IB, 8
  RUN "iret-nmi-exiting", guest_iret, PF_NO12
  ; virtual NMIs; the #GP is not in the bitmap and its gate is not present:
  ; the #NP while delivering it makes a #DF, which exits
  VMW PIN, 0x16 | 0x08 | 0x20
  VMW G_IB, 8
  VMW EXCBMP, 1 << 8            ; #DF
  GATE_P 13, 0
  RUN "iret-vnmi-df", guest_iret, PF_NO12
  GATE_P 13, 1
  ; the #GP's gate a task gate: the task switch exits while the #GP is delivered
  VMW G_IB, 8
  VMW EXCBMP, 0
  mov eax, [GIDT + 13 * 8]
  mov [SCRATCH + 0x10], eax
  mov eax, [GIDT + 13 * 8 + 4]
  mov [SCRATCH + 0x14], eax
  mov dword [GIDT + 13 * 8], 0x30 << 16
  mov dword [GIDT + 13 * 8 + 4], 0x00008500              ; P, DPL 0, task gate
  RUN "iret-vnmi-task", guest_iret, PF_VALID
  mov eax, [SCRATCH + 0x10]
  mov [GIDT + 13 * 8], eax
  mov eax, [SCRATCH + 0x14]
  mov [GIDT + 13 * 8 + 4], eax

  ; virtual NMIs and NMI-window exiting, virtual-NMI blocking before the IRET,
  ; nothing in the bitmap: the #GP is delivered to the guest, and the NMI-window
  ; exit comes before the first instruction of its handler
  PUTS32 "iret-nmi-window"
  VMW EXCBMP, 0
  VMW G_IB, 8
  PROC_BASE 1 << 22
  mov dword [RES32], guest_done + ROMB  ; should the handler run: a VMCALL
  mov dword [VEC32], 0xffffffff
  VMW G_RIP, guest_iret + ROMB
  VMW G_RSP, GSTACK
  call resume_len
  call print_exit_short
  PUTS32 " at-handler"
  VMR G_RIP
  movzx ebx, word [GIDT + 13 * 8]
  mov edx, [GIDT + 13 * 8 + 4]
  and edx, 0xffff0000
  or ebx, edx
  sub eax, ebx
  call sys_hex32_32
  PUTS32 " vec"
  VMR VEC_INFO
  call sys_hex32_32
  call print_ib
  PUTS32 " handler-ran"
  mov eax, [VEC32]
  call sys_hex32_32
  PUTS32 " stack"               ; GSTACK - RSP, then the error code and EIP pushed
  VMR G_RSP
  mov esi, eax
  mov eax, GSTACK
  sub eax, esi
  call sys_hex32_32
  mov eax, [esi]
  call sys_hex32_32
  mov eax, [esi + 4]
  sub eax, guest_code + ROMB
  call sys_hex32_32
  call putnl32
  PROC_BASE 0
  VMW PIN, 0x16
  VMW G_IB, 0

  ; --- faults while delivering the guest's software interrupts and exceptions ---
  VMW EXCBMP, 1 << 11           ; #NP only: INT3 and INTO themselves do not exit
  GATE_P 0x31, 0
  RUN "int-np", guest_int, PF_LEN | PF_NO12
  GATE_P 0x31, 1
  GATE_P 3, 0
  RUN "int3-np", guest_int3, PF_LEN | PF_NO12
  GATE_P 3, 1
  GATE_P 4, 0
  RUN "into-np", guest_into, PF_LEN | PF_NO12
  GATE_P 4, 1
  GATE_P 1, 0
  RUN "int1-np", guest_int1, PF_LEN | PF_NO12
  GATE_P 1, 1

  ; INT 32H through a task gate in the guest's IDT: a task-switch exit
  mov dword [GIDT + 0x32 * 8], 0x30 << 16
  mov dword [GIDT + 0x32 * 8 + 4], 0x00008500              ; P, DPL 0, task gate
  VMW EXCBMP, 0
  RUN "int-task-gate", guest_int32, PF_LEN | PF_VALID

  ; --- INT1 with #DB in the exception bitmap ---
  VMW EXCBMP, 1 << 1
  RUN "int1-exit", guest_int1, PF_LEN
  ; and without: delivered through the guest's IDT, whose handler ends in the VMCALL
  VMW EXCBMP, 0
  mov dword [RES32], guest_done + ROMB
  mov dword [VEC32], 0xffffffff
  PUTS32 "int1-delivered "
  mov dword [PFLAGS], PF_LEN
  VMW G_RIP, guest_int1 + ROMB
  VMW G_RSP, GSTACK
  call resume_len
  call print_exit
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  PUTS32 " ret"
  mov eax, [EIP32]
  sub eax, guest_code + ROMB
  call sys_hex32_32
  call putnl32

  vmxoff
  PUTS32 "done"
  call putnl32
  EXIT 0

; " exit REASON QUAL RIP INFO", then " err" and the exit interruption error
; code when INFO has one (bit 11), " vec" and the IDT-vectoring information,
; " verr" and its error code when it has one, " len" and the exit instruction
; length with PF_LEN in [PFLAGS], " ib" and the saved interruptibility state.
; With PF_NO12, bit 12 of INFO is printed as 0 (undefined, §27.2.2); with
; PF_VALID only its valid bit (the rest is undefined for other exits).
print_event:
  call print_exit_short
  VMR G_RIP
  sub eax, guest_code + ROMB
  call sys_hex32_32
  VMR XINFO
  test dword [PFLAGS], PF_NO12
  jz .i
  and eax, ~0x1000
.i:
  test dword [PFLAGS], PF_VALID
  jz .i2
  and eax, 0x80000000
.i2:
  call sys_hex32_32
  test eax, 1 << 11
  jz .v
  PUTS32 " err"
  VMR XERR
  call sys_hex32_32
.v:
  PUTS32 " vec"
  VMR VEC_INFO
  call sys_hex32_32
  test eax, 1 << 11
  jz .l
  PUTS32 " verr"
  VMR VEC_ERR
  call sys_hex32_32
.l:
  test dword [PFLAGS], PF_LEN
  jz .b
  PUTS32 " len"
  VMR XLEN
  call sys_hex32_32
.b:
  call print_ib
  ret

; --- the guest (VMX non-root, ring 0) ---
guest_code:
  vmcall                      ; +0 (0F 01 C1)
guest_iret:
  pushfd                      ; +3 (9C)
  push dword 0x1238           ; +4 (68 imm32): a CS selector past the GDT's limit
  push dword guest_done + ROMB ; +9 (68 imm32)
  iretd                       ; +14 (CF): #GP(1238H)
guest_int:
  int 0x31                    ; +15 (CD 31)
guest_int3:
  int3                        ; +17 (CC)
guest_into:
  mov al, 0x7f                ; +18 (B0 7F)
  add al, 1                   ; +20 (04 01): OF = 1
  into                        ; +22 (CE)
guest_int1:
  int1                        ; +23 (F1)
guest_done:
  vmcall                      ; +24
guest_int32:
  int 0x32                    ; +27 (CD 32)

ROM_END
