; VMX "unrestricted guest" (SDM vol. 3 §25.3, §26.2.1.1, §26.3.1, §27.2-§27.3,
; appendix A.1-A.7; ch. 20 for real mode) under -cpu coreduo,+vmx[,+vmx-ept]
; [,+vmx-vpid][,+vmx-unrestricted-guest]: the capability MSRs (480H, 482H,
; 485H, 486H, 48BH, the TRUE_* MSRs 48DH-490H); the VM-entry checks that the
; control relaxes (CR0.PE/PG, the RPL rules, CS of type 3) and those it keeps
; or adds (PG without PE, RFLAGS.VM with PE = 0, SS.DPL = 0); a real-mode
; guest under EPT (remapped data, CPUID and VMCALL exits, EPT violations on a
; read and a fetch, INT n through an IVT EPT remaps, a #GP as an exception exit
; and through the IVT, EPT violations while the IVT is read for INT n and for
; the #GP); an "unreal" data segment; MOV CR0 in the guest
; clearing and setting PE and PG; an unpaged protected-mode guest's EPT
; violation. The program adapts to the features it finds (48BH's high half);
; ug.test.ts holds the expected output for each combination, worked out from
; the SDM.
;
; Output as ept.asm: " f=" flags [" n=" error] after a VMX instruction,
; " v=.." for an exception, " exit REASON QUAL" for a VM exit; RIPs are printed
; as the guest's raw RIP (ug.test.ts takes the labels from nasm's map).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN ug_main
%include "sys-pm.inc"
cpu any

VMXON_R  equ 0x20000
VMCS_A   equ 0x21000
PD       equ 0x23000   ; the host's page directory: 4 MiB pages, identity
SCRATCH  equ 0x24000
DESC     equ 0x24100
FEAT     equ 0x24200   ; the high half of IA32_VMX_PROCBASED_CTLS2 (0: none)
SAVEAX   equ 0x24208   ; the guest's EAX at the last exit
EPT_PML4 equ 0x40000
EPT_PDPT equ 0x41000
EPT_PD   equ 0x42000
EPT_PT   equ 0x43000   ; guest-physical 0-2 MiB, 4-KByte pages
P_MAP    equ 0x60000   ; guest-physical page EPT maps to P_HOST
P_HOST   equ 0x61000
P_NP     equ 0x63000   ; EPT not present while a case wants a violation
IVT_H    equ 0x78000   ; the host page EPT maps guest-physical page 0 to
EPTP     equ EPT_PML4 | (3 << 3) | 6
WB_RWX   equ 0x37
GPA_LO   equ 0x2400
GPA_HI   equ 0x2401
G_LIN    equ 0x640a
SEC      equ 0x401e
RCS      equ 0xe800    ; the real-mode guest's code segment: IP = label + 8000H
RSS      equ 0x3000    ; its stack segment (SP FFF0H)
%include "vmx-lib.inc"
%include "vmx-print.inc"

%macro EPTE 2
  mov dword [EPT_PT + ((%1) >> 12) * 8], %2
  mov dword [EPT_PT + ((%1) >> 12) * 8 + 4], 0
%endmacro
%macro SEG 5              ; guest segment %1 (0 ES .. 5 GS): selector, base, limit, access rights
  VMW 0x0800 + 2 * (%1), %2
  VMW 0x6806 + 2 * (%1), %3
  VMW 0x4800 + 2 * (%1), %4
  VMW 0x4814 + 2 * (%1), %5
%endmacro
%macro RUN 1              ; 32-bit flat guest code at label %1
  VMW G_RIP, %1 + ROMB
  call resume_len
  mov [SAVEAX], eax
%endmacro
%macro RUNR 1             ; real-mode guest code at RCS:%1 + 8000H
  VMW G_RIP, %1 + 0x8000
  call resume_len
  mov [SAVEAX], eax
%endmacro
%macro RESUME 0           ; resume where the guest is
  call resume_len
  mov [SAVEAX], eax
%endmacro
%macro RESUME_NEXT 0      ; skip the instruction that exited, resume
  call resume_next
  mov [SAVEAX], eax
%endmacro
%macro PF 2               ; " %1" and field %2
  PUTS32 %1
  VMR %2
  call sys_hex32_32
%endmacro
%macro SECC 1             ; secondary controls := %1
  VMW SEC, %1
%endmacro

main:
  jmp pm_enter

bits 32
ug_main:
  PUTS32 "cpuid1.ecx.vmx"
  mov eax, 1
  cpuid
  mov eax, ecx
  shr eax, 5
  and eax, 1
  mov [SCRATCH + 0x230], eax
  call sys_hex32_32
  call putnl32
  ; --- the capability MSRs (appendix A.1, A.3, A.6, A.7) ---
  mov esi, 0x480
  call print_msr
  mov esi, 0x482
  call print_msr
  mov esi, 0x485
  call print_msr
  mov esi, 0x486
  call print_msr
  mov esi, 0x48b
  call print_msr
  mov esi, 0x481
  call print_msr
  mov esi, 0x48d
  call print_msr
  mov esi, 0x48e
  call print_msr
  mov esi, 0x483
  call print_msr
  mov esi, 0x48f
  call print_msr
  mov esi, 0x484
  call print_msr
  mov esi, 0x490
  call print_msr
  mov dword [FEAT], 0
  mov dword [RES32], .nofeat + ROMB
  mov ecx, 0x48b
  rdmsr
  mov [FEAT], edx
.nofeat:
  mov esp, STACK0
  cmp dword [SCRATCH + 0x230], 0
  je .done
  test dword [FEAT], 1 << 1   ; the guests below need EPT
  jnz .vmx
.done:
  PUTS32 "done"
  call putnl32
  EXIT 0

.vmx:
  mov dword [VMXON_R], 0x52
  mov dword [VMCS_A], 0x52
  ; IA32_FEATURE_CONTROL, then paging (0-8 MiB identity) and CR4.VMXE
  VMX_HOST_SETUP PD, CR4_VMXE | CR4_PSE, fc_first, 0x400000, 0x00400087
  mov dword [SCRATCH], VMXON_R
  mov dword [SCRATCH + 4], 0
  PUTS32 "vmxon"
  vmxon [SCRATCH]
  call print_vmres
  call putnl32
  mov dword [SCRATCH], VMCS_A
  vmclear [SCRATCH]
  vmptrld [SCRATCH]
  call build_tables
  call setup_vmcs
  VMW EXCBMP, 0xffffffff      ; every guest exception exits
  VMW 0x6000, 0               ; CR0 guest/host mask: MOV CR0 never exits
  VMW 0x6004, 0
  PROC_BASE 1 << 31
  SECC 1 << 1                 ; enable EPT
  VMW 0x201a, EPTP
  VMW 0x201b, 0
  call set_pm

  ; --- a paged protected-mode guest with EPT, no unrestricted guest ---
  PUTS32 "launch"
  VMW G_RIP, g_first + ROMB
  NEXT_EXIT .launched
  vmlaunch
  call print_vmres
  call putnl32
  EXIT 1
.launched:
  call print_exit_rip
  call putnl32

  ; TRUE_PROCBASED_CTLS: CR3-load and CR3-store exiting may be 0 (A.3.2)
  PUTS32 "cr3-exiting-0"
  VMW PROC, (0x0401e172 & ~0x18000) | (1 << 7) | (1 << 24) | (1 << 31)
  RUN g_first
  call print_exit_rip
  call putnl32
  PROC_BASE 1 << 31

  PUTS32 "ug-without-ept"     ; §26.2.1.1: VMfailValid(7)
  SECC 1 << 7
  ENTRY_VMFAIL
  SECC 1 << 1
  test dword [FEAT], 1 << 7
  jnz .ug_allowed
  PUTS32 "ug-not-allowed"     ; 48BH bit 39 = 0: the control must be 0
  SECC (1 << 1) | (1 << 7)
  ENTRY_VMFAIL
  SECC 1 << 1
.ug_allowed:
  call no_ug_cases
  test dword [FEAT], 1 << 7
  jz .fin
  SECC (1 << 1) | (1 << 7)
  call ug_cases
.fin:
  PUTS32 "vmxoff"
  vmxoff
  call print_vmres
  call putnl32
  PUTS32 "done"
  call putnl32
  EXIT 0

; --- without "unrestricted guest" (secondary controls: EPT only) ---
no_ug_cases:
  pop dword [SCRATCH + 0x220]
  PUTS32 "no-ug-real"         ; CR0.PE = PG = 0: fixed to 1 (§26.3.1.1)
  call set_real
  VMW G_RIP, r_vmcall + 0x8000
  ENTRY_FAILS
  call set_pm
  PUTS32 "no-ug-unpaged"      ; PE = 1, PG = 0
  VMW G_CR0, 0x31
  VMW G_RIP, g_first + ROMB
  ENTRY_FAILS
  call set_pm
  PUTS32 "no-ug-ss-rpl"       ; SS selector 13H: RPL 3 != CS.RPL 0, != SS.DPL 0
  VMW 0x0804, 0x13
  VMW G_RIP, g_first + ROMB
  ENTRY_FAILS
  call set_pm
  PUTS32 "no-ug-ds-rpl"       ; DS selector 13H: DPL 0 < RPL 3
  VMW 0x0806, 0x13
  VMW G_RIP, g_first + ROMB
  ENTRY_FAILS
  call set_pm
  PUTS32 "no-ug-mov-cr0"      ; MOV CR0 clearing PE and PG: #GP(0)
  mov edx, 0x30
  RUN g_cr0
  call print_exc_exit
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "no-ug-mov-cr0-pe"   ; clearing PE alone: #GP(0)
  call set_pm
  mov edx, 0x80000030
  RUN g_cr0
  call print_exc_exit
  PF " cr0", G_CR0
  call putnl32
  call set_pm
  jmp [SCRATCH + 0x220]

; --- with "unrestricted guest" (and EPT) ---
ug_cases:
  pop dword [SCRATCH + 0x224]
  ; VM-entry checks (§26.3.1)
  PUTS32 "ug-ss-rpl"          ; the RPL rules are dropped
  call set_pm
  VMW 0x0804, 0x13
  RUN g_first
  call print_exit_rip
  PF " ss", 0x0804
  call putnl32
  PUTS32 "ug-ds-rpl"
  call set_pm
  VMW 0x0806, 0x13
  RUN g_first
  call print_exit_rip
  PF " ds", 0x0806
  call putnl32
  PUTS32 "pg-without-pe"
  call set_real
  VMW G_CR0, 0x80000030
  VMW G_RIP, r_vmcall + 0x8000
  ENTRY_FAILS
  PUTS32 "real-cs-type3"      ; CS an accessed read/write data segment, DPL 0
  call set_real
  VMW 0x4816, 0x93
  RUNR r_vmcall
  call print_real_exit
  call print_cs_lar
  call putnl32
  PUTS32 "real-cs-type3-dpl1"
  call set_real
  VMW 0x4816, 0xb3
  VMW G_RIP, r_vmcall + 0x8000
  ENTRY_FAILS
  PUTS32 "real-cs-conforming" ; CS type 15, DPL 0 <= SS.DPL
  call set_real
  VMW 0x4816, 0x9f
  RUNR r_vmcall
  call print_real_exit
  call print_cs_lar
  call putnl32
  PUTS32 "real-ss-dpl3"       ; PE = 0: SS.DPL must be 0
  call set_real
  VMW 0x4816, 0x9f
  VMW 0x4818, 0xf3
  VMW G_RIP, r_vmcall + 0x8000
  ENTRY_FAILS
  PUTS32 "pm-cs-type3"        ; PE = 1, PG = 0, CS of type 3, SS.DPL 0
  call set_pm
  VMW G_CR0, 0x31
  VMW 0x4816, 0xc093
  RUN g_first
  call print_exit_rip
  PF " csar", 0x4816
  call putnl32
  PUTS32 "pm-cs-type3-ss-dpl3" ; CS of type 3: SS.DPL must be 0
  call set_pm
  VMW G_CR0, 0x31
  VMW 0x4816, 0xc093
  VMW 0x4818, 0xc0f3
  VMW G_RIP, g_first + ROMB
  ENTRY_FAILS
  PUTS32 "v86-pe1"            ; virtual-8086 guest with PE = 1, PG = 0
  call set_v86
  VMW G_CR0, 0x31
  VMW G_RIP, v_vmcall
  RESUME
  call print_exit_short
  PF " rip", G_RIP
  PF " rflags", 0x6820
  call putnl32
  PUTS32 "v86-pe0"            ; RFLAGS.VM = 1 with PE = 0
  call set_v86
  VMW G_RIP, v_vmcall
  ENTRY_FAILS

  ; --- a real-mode guest (PE = PG = 0) under EPT ---
  call set_real
  PUTS32 "real-cpuid"         ; reads DS:40H = guest-physical 60040H (host 61040H), then CPUID
  RUNR r_start
  call print_real_exit
  call print_cs_lar
  call print_eax
  PF " len", XLEN
  call putnl32
  PUTS32 "real-vmcall"
  RESUME_NEXT
  call print_real_exit
  PF " len", XLEN
  call putnl32
  PUTS32 "real-int"           ; INT 40H through the IVT at guest-physical 0 (host IVT_H)
  RUNR r_int
  call print_real_exit
  call print_stack
  call putnl32
  PUTS32 " iret"
  RESUME_NEXT
  call print_real_exit
  PF " sp", 0x681c
  call putnl32
  PUTS32 "real-viol"          ; MOV DS, 6300H; MOV EAX, [38H]: P_NP not present
  EPTE P_NP, 0
  call invept_all
  RUNR r_viol
  call print_ept_exit
  PF " ds", 0x0806
  PF " dsbase", 0x680c
  call putnl32
  PUTS32 " retry"
  EPTE P_NP, P_NP | WB_RWX
  call invept_all
  RESUME
  call print_real_exit
  call print_eax
  call putnl32
  PUTS32 "real-gp-limit"      ; a word at DS:FFFFH, DS limit FFFFH: #GP(0), in real mode
  call set_real
  RUNR r_gp
  call print_exc_exit
  call putnl32
  PUTS32 "real-gp-ivt-viol"   ; the same #GP delivered through the IVT (bitmap bit 13 clear), IVT page not present
  call set_real
  VMW EXCBMP, ~(1 << 13)
  mov dword [IVT_H + 13 * 4], 0xf0000000 + h40
  EPTE 0, 0
  call invept_all
  RUNR r_gp
  call print_ept_exit
  PF " vect", 0x4408
  PF " sp", 0x681c
  PF " cs", 0x0802
  call putnl32
  PUTS32 " retry"
  EPTE 0, IVT_H | WB_RWX
  call invept_all
  RESUME
  call print_real_exit
  call print_stack
  call putnl32
  VMW EXCBMP, 0xffffffff
  mov dword [IVT_H + 13 * 4], 0xf000fff0
  PUTS32 "real-int-viol"      ; INT 40H with the IVT's page not present in EPT; RFLAGS.AC = 1
  call set_real
  VMW 0x6820, 0x40002
  EPTE 0, 0
  call invept_all
  RUNR r_int
  PF " exit", REASON
  PUTS32 ""
  VMR QUAL
  and eax, ~0x1000            ; NMI unblocking: undefined with IDT-vectoring information (§27.2.1)
  call sys_hex32_32
  PF " rip", G_RIP
  PF " gpa", GPA_HI
  PF "", GPA_LO
  PF " lin", G_LIN
  PF " vect", 0x4408
  PF " len", XLEN
  PF " sp", 0x681c
  PF " cs", 0x0802
  PF "", 0x6808
  PF " rflags", 0x6820
  call putnl32
  PUTS32 " retry"
  EPTE 0, IVT_H | WB_RWX
  call invept_all
  RESUME
  call print_real_exit
  PF " sp", 0x681c
  PF " rflags", 0x6820
  call putnl32
  PUTS32 "real-fetch-viol"    ; the page holding r_vmcall EPT read+write only
  call set_real
  mov eax, r_vmcall + ROMB
  shr eax, 12
  mov [SCRATCH + 0x250], eax
  mov dword [EPT_PT + eax * 8], 0
  or dword [EPT_PT + eax * 8], eax
  shl dword [EPT_PT + eax * 8], 12
  or dword [EPT_PT + eax * 8], 0x33
  call invept_all
  RUNR r_vmcall
  call print_ept_exit
  call putnl32
  PUTS32 " retry"
  mov eax, [SCRATCH + 0x250]
  or dword [EPT_PT + eax * 8], WB_RWX
  call invept_all
  RESUME
  call print_real_exit
  call putnl32
  PUTS32 "real-ne0"           ; CR0 10H: NE = 0 stays fixed to 1 (only PE and PG are exempt)
  call set_real
  VMW G_CR0, 0x10
  VMW G_RIP, r_vmcall + 0x8000
  ENTRY_FAILS
  PUTS32 "unreal"             ; DS 1234H, base 200000H, limit 4 GiB (guest-physical 2 MiB: host 4 MiB)
  call set_real
  SEG 3, 0x1234, 0x200000, 0xffffffff, 0x8093
  RUNR r_unreal
  call print_real_exit
  call print_eax
  PF " ds", 0x0806
  PF " dsbase", 0x680c
  PF " dslimit", 0x4806
  PF " dsar", 0x481a
  call putnl32
  PUTS32 " next"
  RESUME_NEXT
  call print_real_exit
  call print_eax
  call putnl32

  ; --- MOV CR0 in the guest (§25.3): no exits, mask 0 ---
  call set_pm
  PUTS32 "mov-cr0-pe-pg-off"  ; paged protected mode -> real mode
  mov edx, 0x30
  RUN g_cr0
  call print_exit_rip
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "mov-cr0-pg-no-pe"   ; from real mode: PG = 1 with PE = 0 stays #GP(0)
  mov edx, 0x80000030
  RUN g_cr0
  call print_exc_exit
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "mov-cr0-pe-on"      ; real mode -> unpaged protected mode
  mov edx, 0x31
  RUN g_cr0
  call print_exit_rip
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "mov-cr0-pe-off"     ; unpaged protected mode -> real mode
  mov edx, 0x30
  RUN g_cr0
  call print_exit_rip
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "mov-cr0-pe-pg-on"   ; real mode -> paged protected mode
  mov edx, 0x80000031
  RUN g_cr0
  call print_exit_rip
  PF " cr0", G_CR0
  call putnl32
  PUTS32 "mov-cr0-pm-pg-no-pe" ; from paged protected mode: PE = 0 with PG = 1, #GP(0)
  mov edx, 0x80000030
  RUN g_cr0
  call print_exc_exit
  PF " cr0", G_CR0
  call putnl32

  PUTS32 "mov-cr0-ne0"        ; unpaged protected mode, CR0 := 11H (NE = 0): #GP(0)
  call set_pm
  VMW G_CR0, 0x31
  mov edx, 0x11
  RUN g_cr0
  call print_exc_exit
  PF " cr0", G_CR0
  call putnl32

  ; --- unpaged protected mode (PE = 1, PG = 0): linear = guest-physical ---
  PUTS32 "pm-unpaged"         ; DS base 60000H: [40H] is guest-physical 60040H
  call set_pm
  VMW G_CR0, 0x31
  VMW 0x680c, P_MAP
  RUN p_read
  call print_exit_rip
  call print_eax
  call putnl32
  PUTS32 "pm-unpaged-viol"    ; [DS:3038H] = guest-physical 63038H, not present
  EPTE P_NP, 0
  call invept_all
  RESUME_NEXT
  call print_ept_exit
  call putnl32
  PUTS32 " retry"
  EPTE P_NP, P_NP | WB_RWX
  call invept_all
  RESUME
  call print_exit_rip
  call print_eax
  call putnl32
  call set_pm
  jmp [SCRATCH + 0x224]

; --- guest states ---
set_pm:                        ; flat ring-0 paged protected mode (setup_vmcs's segments)
  VMW G_CR0, 0x80000031
  mov esi, 0
.segs:
  lea eax, [0x0800 + esi * 2]
  mov ebx, 0x10
  cmp esi, 1
  jne .s1
  mov ebx, 0x08
.s1:
  vmwrite eax, ebx
  lea eax, [0x6806 + esi * 2]
  mov ebx, 0
  vmwrite eax, ebx
  lea eax, [0x4800 + esi * 2]
  mov ebx, 0xffffffff
  vmwrite eax, ebx
  lea eax, [0x4814 + esi * 2]
  mov ebx, 0xc093
  cmp esi, 1
  jne .s2
  mov ebx, 0xc09b
.s2:
  vmwrite eax, ebx
  inc esi
  cmp esi, 6
  jne .segs
  VMW 0x681c, GSTACK
  VMW 0x6820, 2
  VMW 0x6818, IDT_A
  VMW 0x4812, 0x7ff
  ret

set_real:                      ; real mode: CS E800H, SS 3000H, DS 6000H, IDTR 0/3FFH
  VMW G_CR0, 0x30
  SEG 0, 0, 0, 0xffff, 0x93
  SEG 1, RCS, RCS << 4, 0xffff, 0x9b
  SEG 2, RSS, RSS << 4, 0xffff, 0x93
  SEG 3, 0x6000, 0x60000, 0xffff, 0x93
  SEG 4, 0, 0, 0xffff, 0x93
  SEG 5, 0, 0, 0xffff, 0x93
  VMW 0x681c, 0xfff0
  VMW 0x6820, 2
  VMW 0x6818, 0
  VMW 0x4812, 0x3ff
  ret

set_v86:                       ; virtual-8086: CS F000H, SS 3000H, others 0; PE = 0 here
  VMW G_CR0, 0x30
  SEG 0, 0, 0, 0xffff, 0xf3
  SEG 1, 0xf000, 0xf0000, 0xffff, 0xf3
  SEG 2, RSS, RSS << 4, 0xffff, 0xf3
  SEG 3, 0, 0, 0xffff, 0xf3
  SEG 4, 0, 0, 0xffff, 0xf3
  SEG 5, 0, 0, 0xffff, 0xf3
  VMW 0x681c, 0xfff0
  VMW 0x6820, 0x20002
  ret

; EPT: guest-physical 0-2 MiB in 4-KByte pages (identity but for page 0 ->
; IVT_H and P_MAP -> P_HOST), 2-4 MiB one 2-MByte page at host 400000H.
build_tables:
  mov edi, EPT_PML4
  xor eax, eax
  mov ecx, 0x4000 / 4
  rep stosd
  mov dword [EPT_PML4], EPT_PDPT | 7
  mov dword [EPT_PDPT], EPT_PD | 7
  mov dword [EPT_PD], EPT_PT | 7
  mov dword [EPT_PD + 8], 0x00400000 | 0x80 | WB_RWX
  mov edi, EPT_PT
  mov eax, WB_RWX
.pt:
  mov [edi], eax
  mov dword [edi + 4], 0
  add eax, 0x1000
  add edi, 8
  cmp edi, EPT_PT + 0x1000
  jne .pt
  EPTE 0, IVT_H | WB_RWX
  EPTE P_MAP, P_HOST | WB_RWX
  mov dword [P_MAP + 0x40], 0x11111111   ; what the guest would see without EPT
  mov dword [P_HOST + 0x40], 0x22222222
  mov dword [P_NP + 0x38], 0x77777777
  mov dword [0x400000 + 0x11234], 0xaaaa5555  ; guest-physical 211234H
  mov dword [0x400000 + 0x1234], 0x5555aaaa   ; guest-physical 201234H
  mov dword [0x13574], 0x12121212             ; 1234H * 16 + 1234H: DS as a real-mode selector
  mov edi, IVT_H                              ; the guest's IVT: every vector to F000H:0FFF0H but 40H
  mov ecx, 256
.ivt:
  mov dword [edi], 0xf000fff0
  add edi, 4
  loop .ivt
  mov dword [IVT_H + 0x40 * 4], 0xf0000000 + h40
  ret

invept_all:                    ; INVEPT all-context (the descriptor is not looked at)
  mov eax, 2
  invept eax, [DESC]
  jbe .fail
  ret
.fail:
  PUTS32 " invept-failed"
  ret

; --- printing ---
print_exit_rip:                ; " exit R Q rip RIP"
  call print_exit_short
  PF " rip", G_RIP
  ret
print_exc_exit:                ; " exit R Q rip RIP intr I [err E]" (error code only where bit 11 says)
  call print_exit_rip
  PF " intr", XINFO
  VMR XINFO
  test eax, 1 << 11
  jz .n
  PF " err", XERR
.n:
  ret
print_real_exit:               ; " exit R Q rip RIP cs SEL BASE cr0 CR0"
  call print_exit_rip
  PF " cs", 0x0802
  PF "", 0x6808
  PF " cr0", G_CR0
  ret
print_cs_lar:                  ; " cslimit LIMIT csar AR"
  PF " cslimit", 0x4802
  PF " csar", 0x4816
  ret
print_stack:                   ; " sp SP stack IP:CS FLAGS" (the real-mode stack at SS 3000H)
  PF " sp", 0x681c
  PUTS32 " stack"
  VMR 0x681c
  mov eax, [(RSS << 4) + eax]
  call sys_hex32_32
  VMR 0x681c
  movzx eax, word [(RSS << 4) + eax + 4]
  call sys_hex32_32
  ret
print_ept_exit:                ; " exit R Q rip RIP gpa HI LO lin L"
  call print_exit_rip
  PF " gpa", GPA_HI
  PF "", GPA_LO
  PF " lin", G_LIN
  ret

; --- the 32-bit guest code (flat, CS base 0) ---
guest_code:
g_first:
  vmcall
g_cr0:
  mov cr0, edx                ; 0F 22 C2: the same bytes in 16- and 32-bit code
g_cr0_end:
  vmcall
p_read:
  mov eax, [0x40]             ; DS base P_MAP
  vmcall
p_viol:
  mov eax, [0x3038]           ; DS base P_MAP: linear 63038H
p_viol_end:
  vmcall

; --- the 16-bit guest code (real mode at RCS:label + 8000H, the INT 40H
; handler at F000H:label, virtual-8086 at F000H:label) ---
bits 16
r_start:
  mov eax, [0x40]             ; DS 6000H: guest-physical 60040H
r_cpuid:
  cpuid
r_vmcall:
  vmcall
r_int:
  int 0x40
r_int_ret:
  vmcall
r_viol:
  mov ax, 0x6300
  mov ds, ax
r_viol_rd:
  mov eax, [0x38]
r_viol_end:
  vmcall
r_gp:
  mov ax, [0xffff]
  vmcall
r_unreal:
  mov eax, [dword 0x11234]    ; beyond 64 KiB: the limit is 4 GiB
r_unreal2:
  vmcall
  mov eax, [0x1234]
r_unreal3:
  vmcall
h40:
  vmcall
  iret
v_vmcall:
  vmcall
bits 32

ROM_END
