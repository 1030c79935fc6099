; EPT and VPID (SDM vol. 3C ch. 24-28, appendix A; vol. 2 INVEPT/INVVPID)
; under -cpu coreduo,+vmx[,+vmx-ept][,+vmx-vpid]: the capability MSRs
; (482H, 48BH, 48CH), which VMCS fields exist, INVEPT and INVVPID in VMX root
; and non-root operation, the VM-entry checks of the secondary controls, the
; EPTP and the VPID, and a 32-bit paged guest whose guest-physical accesses go
; through a 4-level EPT: remapped 4-KByte, 2-MByte and 1-GByte pages, EPT
; violations (exit 48) that the host repairs before resuming the instruction
; (reads, writes, fetches, the guest's page walks and A/D updates, event
; delivery, page-crossing accesses, REP MOVSD), EPT misconfigurations (exit
; 49), a PAE guest whose PDPTEs come from the VMCS, and the accessed and dirty
; flags of EPT (EPTP bit 6) on EPT tables of their own. The program adapts to the features it
; finds (the high half of 48BH) and ept.test.ts holds the expected output for
; each combination, worked out from the SDM.
;
; Output: after a VMX instruction " f=" and the arithmetic flags (CF 01, ZF
; 40) and, with ZF, " n=" and the VM-instruction error; " v=.." for an
; exception (sys-pm.inc). A VM exit prints " exit REASON ..." with RIPs
; relative to guest_code (ept.test.ts takes the labels from nasm's map).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN ept_main
%include "sys-pm.inc"
cpu any

VMXON_R  equ 0x20000   ; the VMXON region
VMCS_A   equ 0x21000   ; the VMCS
PD       equ 0x23000   ; the host's page directory: 4 MiB pages, identity
SCRATCH  equ 0x24000
DESC     equ 0x24100   ; INVEPT / INVVPID descriptor (16 bytes)
FEAT     equ 0x24200   ; the high half of IA32_VMX_PROCBASED_CTLS2 (0: none)
MASK     equ 0x24204   ; the defined bits of the next instruction information
SAVEAX   equ 0x24208   ; the guest's EAX at the last exit
NBIT     equ 0x2420c   ; 1 << (physical-address width - 32)
EPT_PML4 equ 0x40000   ; EPT PML4 table
EPT_PDPT equ 0x41000   ; EPT page-directory-pointer table
EPT_PD   equ 0x42000   ; EPT page directory for guest-physical 0-1 GiB
EPT_PT   equ 0x43000   ; EPT page table for guest-physical 0-2 MiB
G_PD     equ 0x50000   ; the guest's page directory (its CR3)
G_PT1    equ 0x52000   ; the guest's page table for linear 4-8 MiB
G_PT2    equ 0x53000   ; the guest's page table for linear 8-12 MiB
P_MAP    equ 0x60000   ; guest-physical page that EPT maps to P_HOST
P_HOST   equ 0x61000
P_RO     equ 0x62000   ; EPT read+execute
P_NP     equ 0x63000   ; EPT not present
P_NX     equ 0x64000   ; EPT read+write (no execute)
P_AD     equ 0x65000   ; data page whose guest PTE lies in G_PT2
P_MC     equ 0x66000   ; the misconfiguration cases' page
P_1G     equ 0x70000   ; read through the 1-GByte EPT page
PDPT_MEM equ 0x54000   ; the PAE guest's PDPT (its CR3): PDPTE0 -> PD_B
PD_A     equ 0x55000   ; PAE page directory: 2 MiB pages, linear 2 MiB -> 200000H
PD_B     equ 0x56000   ; PAE page directory: 2 MiB pages, linear 2 MiB -> 0
G_PD2    equ 0x57000   ; a page directory address not present in EPT
P_X2     equ 0x67000   ; executable page followed by P_NX2 (read+write)
P_NX2    equ 0x68000
P_W1     equ 0x69000   ; writable page followed by P_W2 (read+execute)
P_W2     equ 0x6a000
P_X3     equ 0x6b000   ; executable page followed by P_NX3 (read+write)
P_NX3    equ 0x6c000
P_RO3    equ 0x6d000   ; not present in EPT; the guest maps it read-only at 403000H
P_R4     equ 0x71000   ; EPT read-only
P_W3     equ 0x73000   ; EPT read+execute, after 72000H (writable)
P_SRC    equ 0x74000   ; the string copy's source
P_NX4    equ 0x75000   ; EPT read+write: read, then executed
EPTP     equ EPT_PML4 | (3 << 3) | 6   ; page-walk length 4, WB
; the accessed and dirty flags cases: EPT tables and guest paging of their own
A_PML4   equ 0x44000   ; EPT PML4 table (EPTP bit 6 set)
A_PDPT   equ 0x45000
A_PD     equ 0x46000
A_PT     equ 0x47000   ; guest-physical 0-2 MiB, identity
GA_PD    equ 0x58000   ; the guest's page directory (its CR3)
GA_PT    equ 0x59000   ; the guest's page table for linear 4-8 MiB
P_ADR    equ 0x76000   ; read through GA_PT[0]
P_ADW    equ 0x77000   ; written through GA_PT[1]
P_ADT    equ 0x78000   ; read, then written, through GA_PT[2]
P_ADU    equ 0x79000   ; mapped by GA_PT[3], never used
EPTP_AD  equ A_PML4 | (1 << 6) | (3 << 3) | 6
WB_RWX   equ 0x37      ; EPT leaf: memory type 6 (5:3), execute, write, read
GPA_LO   equ 0x2400
GPA_HI   equ 0x2401
G_LIN    equ 0x640a
SEC      equ 0x401e
VPID     equ 0x0000
%include "vmx-lib.inc"
%include "vmx-print.inc"

%macro EPTE 2             ; the EPT PTE of guest-physical page %1 := %2
  mov dword [EPT_PT + ((%1) >> 12) * 8], %2
  mov dword [EPT_PT + ((%1) >> 12) * 8 + 4], 0
%endmacro
%macro ADBITS 1           ; " " and bits 9:8 of the EPT entry at %1
  mov eax, [%1]
  and eax, 0x300
  call sys_hex32_32
%endmacro
%macro DESC4 4            ; the descriptor's four dwords
  mov dword [DESC], %1
  mov dword [DESC + 4], %2
  mov dword [DESC + 8], %3
  mov dword [DESC + 12], %4
%endmacro
%macro INVEPT_TRY 1       ; " f=.. [n=..]" or " v=..": INVEPT type %1, [DESC]
  TRY32
  mov eax, %1
  invept eax, [DESC]
  call print_vmres
  ENDTRY32
  call putnl32
%endmacro
%macro INVVPID_TRY 1
  TRY32
  mov eax, %1
  invvpid eax, [DESC]
  call print_vmres
  ENDTRY32
  call putnl32
%endmacro
%macro RUN 1              ; enter the guest at %1 and come back after the next exit
  VMW G_RIP, %1 + ROMB
  call resume_len
  mov [SAVEAX], eax
%endmacro
%macro IF_EPT 1           ; go on at %1 unless "enable EPT" may be 1
  test dword [FEAT], 1 << 1
  jz %1
%endmacro
%macro IF_VPID 1
  test dword [FEAT], 1 << 5
  jz %1
%endmacro

main:
  jmp pm_enter

bits 32
ept_main:
  PUTS32 "cpuid1.ecx.vmx"
  mov eax, 1
  cpuid
  mov eax, ecx
  shr eax, 5
  and eax, 1
  mov [SCRATCH + 0x230], eax
  call sys_hex32_32
  call putnl32
  ; the physical-address width N (CPUID 80000008H, else 36 with PAE, else 32;
  ; vol. 3A §4.1.4): NBIT = 1 << (N - 32), the lowest bit of an address's
  ; high dword beyond it
  mov eax, 0x80000000
  cpuid
  mov ecx, 36
  cmp eax, 0x80000008
  jb .nopa
  mov eax, 0x80000008
  cpuid
  movzx ecx, al
  jmp .pa
.nopa:
  mov eax, 1
  cpuid
  test edx, 1 << 6
  jnz .pa
  mov ecx, 32
.pa:
  sub ecx, 32
  mov eax, 1
  shl eax, cl
  mov [NBIT], eax
  DESC4 0, 0, 0, 0
  PUTS32 "invept-off"         ; outside VMX operation: #UD
  INVEPT_TRY 2
  PUTS32 "invvpid-off"
  INVVPID_TRY 2

  ; --- the capability MSRs (appendix A.3.2, A.3.3, A.10) ---
  mov esi, 0x482
  call print_msr
  mov esi, 0x48b
  call print_msr
  mov esi, 0x48c
  call print_msr
  mov dword [FEAT], 0          ; 48BH's allowed-1 half, or 0 where it is #GP
  mov dword [RES32], .nofeat + ROMB
  mov ecx, 0x48b
  rdmsr
  mov [FEAT], edx
.nofeat:
  mov esp, STACK0
  cmp dword [SCRATCH + 0x230], 0
  jne .vmx
  PUTS32 "done"
  call putnl32
  EXIT 0

.vmx:
  ; --- VMX operation on a paged host, as vmx.asm ---
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

  ; no current VMCS: VMfail is VMfailInvalid (vol. 3C §30.2)
  PUTS32 "invept-novmcs"
  INVEPT_TRY 0
  PUTS32 "invvpid-novmcs"
  INVVPID_TRY 4
  mov dword [SCRATCH], VMCS_A
  vmclear [SCRATCH]
  vmptrld [SCRATCH]

  ; --- which fields exist (appendix B) ---
  mov esi, VPID
  call print_field
  mov esi, SEC
  call print_field
  mov esi, 0x201a             ; EPTP
  call print_field
  mov esi, 0x201b
  call print_field
  mov esi, GPA_LO
  call print_field
  mov esi, GPA_HI
  call print_field
  mov esi, 0x280a             ; guest PDPTE0
  call print_field
  mov esi, 0x2810             ; guest PDPTE3
  call print_field
  mov esi, G_LIN
  call print_field

  PUTS32 "vmwrite-gpa"        ; a read-only field (VMfailValid 13) where it exists
  VMW GPA_LO, 0x1000
  call print_vmres
  call putnl32
  PUTS32 "vmwrite-vpid"       ; VPID is a 16-bit field
  VMW VPID, 0x12345
  call print_vmres
  VMR VPID
  call sys_hex32_32
  call putnl32

  ; --- INVEPT in VMX root operation ---
  PUTS32 "invept-single"
  DESC4 EPTP, 0, 0, 0
  INVEPT_TRY 1
  PUTS32 "invept-all"
  INVEPT_TRY 2
  PUTS32 "invept-type0"
  INVEPT_TRY 0
  PUTS32 "invept-type3"
  INVEPT_TRY 3
  PUTS32 "invept-single-bad-eptp"   ; memory type 1: an EPTP VM entry would refuse
  DESC4 EPT_PML4 | (3 << 3) | 1, 0, 0, 0
  INVEPT_TRY 1
  PUTS32 "invept-single-maxphyaddr" ; an EPTP with bit N (the physical-address width) set
  DESC4 EPTP, 0, 0, 0
  mov eax, [NBIT]
  mov [DESC + 4], eax
  INVEPT_TRY 1
  PUTS32 "invept-all-bad-eptp"      ; the all-context type does not look at it
  INVEPT_TRY 2
  PUTS32 "invept-reg"               ; 66 0F 38 80 C1: INVEPT EAX, ECX (mod = 3)
  TRY32
  mov eax, 2
  db 0x66, 0x0f, 0x38, 0x80, 0xc1
  call print_vmres
  ENDTRY32
  call putnl32
  PUTS32 "invept-cpl3"
  DESC4 EPTP, 0, 0, 0
  TRY32
  mov eax, 0                  ; an unsupported type: the CPL check comes first
  RING3 .invept3
.invept3:
  invept eax, [DESC]
  int 0x80
  ENDTRY32
  call putnl32

  ; --- INVVPID in VMX root operation ---
  PUTS32 "invvpid-addr"
  DESC4 1, 0, 0x12345000, 0
  INVVPID_TRY 0
  PUTS32 "invvpid-single"
  INVVPID_TRY 1
  PUTS32 "invvpid-all"
  INVVPID_TRY 2
  PUTS32 "invvpid-retain"
  INVVPID_TRY 3
  PUTS32 "invvpid-type4"
  INVVPID_TRY 4
  DESC4 0, 0, 0x12345000, 0
  PUTS32 "invvpid-addr-vpid0"
  INVVPID_TRY 0
  PUTS32 "invvpid-single-vpid0"
  INVVPID_TRY 1
  PUTS32 "invvpid-all-vpid0"
  INVVPID_TRY 2
  PUTS32 "invvpid-retain-vpid0"
  INVVPID_TRY 3
  DESC4 0x00010001, 0, 0, 0   ; bits 63:16 not 0
  PUTS32 "invvpid-reserved"
  INVVPID_TRY 2
  DESC4 1, 0x80000000, 0, 0
  PUTS32 "invvpid-reserved63"
  INVVPID_TRY 1
  PUTS32 "invvpid-reg"              ; 66 0F 38 81 C1: INVVPID EAX, ECX (mod = 3)
  TRY32
  mov eax, 2
  db 0x66, 0x0f, 0x38, 0x81, 0xc1
  call print_vmres
  ENDTRY32
  call putnl32
  PUTS32 "invvpid-cpl3"
  DESC4 1, 0, 0, 0
  TRY32
  mov eax, 4
  RING3 .invvpid3
.invvpid3:
  invvpid eax, [DESC]
  int 0x80
  ENDTRY32
  call putnl32

  cmp dword [FEAT], 0
  jne .guest
  PUTS32 "done"
  call putnl32
  EXIT 0

  ; --- a guest on its own paging, through EPT where there is EPT ---
.guest:
  call build_tables
  call setup_vmcs
  VMW EXCBMP, 0xffffffff      ; every guest exception exits
  VMW 0x6802, G_PD            ; guest CR3
  PROC_BASE 1 << 31
  mov ebx, [FEAT]
  and ebx, (1 << 1) | (1 << 5) ; enable EPT, enable VPID: whichever exists
  mov eax, SEC
  vmwrite eax, ebx
  IF_VPID .novpid0
  VMW VPID, 1
.novpid0:
  IF_EPT .noeptp0
  VMW 0x201a, EPTP
  VMW 0x201b, 0
.noeptp0:
  PUTS32 "launch"
  VMW G_RIP, g_first + ROMB
  NEXT_EXIT .launched
  vmlaunch
  call print_vmres
  call putnl32
  EXIT 1
.launched:
  call print_exit_short
  call print_rip
  call putnl32

  ; --- VM-entry checks on the controls (§26.2.1.1): VMfailValid(7) ---
  PUTS32 "sec-bit0"           ; "virtualize APIC accesses": not allowed
  VMR SEC
  or eax, 1
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  ENTRY_VMFAIL
  VMR SEC
  and eax, ~1
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  PUTS32 "sec-bit31"          ; bit 31 of the secondary controls
  VMR SEC
  or eax, 0x80000000
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  ENTRY_VMFAIL
  VMR SEC
  and eax, 0x7fffffff
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  IF_EPT .ept_absent
  jmp .ept_checks
.ept_absent:
  PUTS32 "ept-not-allowed"
  VMR SEC
  or eax, 2
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  ENTRY_VMFAIL
  VMR SEC
  and eax, ~2
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  jmp .vpid_checks
.ept_checks:
  PUTS32 "eptp-wc"            ; memory type 1
  VMW 0x201a, EPT_PML4 | (3 << 3) | 1
  ENTRY_VMFAIL
  PUTS32 "eptp-type7"
  VMW 0x201a, EPT_PML4 | (3 << 3) | 7
  ENTRY_VMFAIL
  PUTS32 "eptp-walk3"         ; page-walk length 3 (bits 5:3 = 2)
  VMW 0x201a, EPT_PML4 | (2 << 3) | 6
  ENTRY_VMFAIL
  PUTS32 "eptp-walk5"         ; page-walk length 5 (bits 5:3 = 4)
  VMW 0x201a, EPT_PML4 | (4 << 3) | 6
  ENTRY_VMFAIL
  PUTS32 "eptp-ad"            ; bit 6: accessed and dirty flags, 48CH bit 21: the guest runs
  VMW 0x201a, EPTP | (1 << 6)
  RUN g_first
  call print_exit_short
  call print_rip
  call putnl32
  PUTS32 "eptp-bit7"
  VMW 0x201a, EPTP | (1 << 7)
  ENTRY_VMFAIL
  PUTS32 "eptp-bit11"
  VMW 0x201a, EPTP | (1 << 11)
  ENTRY_VMFAIL
  PUTS32 "eptp-maxphyaddr"    ; bit N of the EPTP (bits 63:N reserved)
  VMW 0x201a, EPTP
  mov ebx, [NBIT]
  mov eax, 0x201b
  vmwrite eax, ebx
  ENTRY_VMFAIL
  VMW 0x201b, 0
  PUTS32 "guest-pg0"          ; no unrestricted guest: CR0.PG stays fixed to 1 (§26.3.1.1)
  VMR G_CR0
  mov [SCRATCH + 0x24c], eax
  and eax, 0x7fffffff
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx
  ENTRY_FAILS
  mov ebx, [SCRATCH + 0x24c]
  mov eax, G_CR0
  vmwrite eax, ebx
  PUTS32 "eptp-uc"            ; memory type 0 (UC) is supported: the guest runs
  VMW 0x201a, EPT_PML4 | (3 << 3) | 0
  RUN g_first
  call print_exit_short
  call print_rip
  call putnl32
  VMW 0x201a, EPTP
.vpid_checks:
  IF_VPID .vpid_absent
  PUTS32 "vpid0"              ; "enable VPID" with VPID 0
  VMW VPID, 0
  ENTRY_VMFAIL
  PUTS32 "vpid-ffff"          ; any other VPID will do
  VMW VPID, 0xffff
  RUN g_first
  call print_exit_short
  call print_rip
  call putnl32
  VMW VPID, 1
  jmp .ignored
.vpid_absent:
  PUTS32 "vpid-not-allowed"
  VMR SEC
  or eax, 1 << 5
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
  ENTRY_VMFAIL
  VMR SEC
  and eax, ~(1 << 5)
  mov ebx, eax
  mov eax, SEC
  vmwrite eax, ebx
.ignored:
  ; "activate secondary controls" 0: the secondary controls are taken as 0
  ; whatever the field holds, so neither EPT (a bad EPTP is not checked) nor
  ; VPID (0 is not checked): the guest reads P_MAP itself, not P_HOST
  PUTS32 "sec-ignored"
  PROC_BASE 0
  VMW SEC, 0xffffffff
  IF_EPT .ign_noeptp
  VMW 0x201a, 1
.ign_noeptp:
  IF_VPID .ign_novpid
  VMW VPID, 0
.ign_novpid:
  RUN g_t1
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PROC_BASE 1 << 31
  mov ebx, [FEAT]
  and ebx, (1 << 1) | (1 << 5)
  mov eax, SEC
  vmwrite eax, ebx
  IF_EPT .ign_eptp
  VMW 0x201a, EPTP
.ign_eptp:
  IF_VPID .ign_vpid
  VMW VPID, 1
.ign_vpid:
  IF_EPT .no_ept_tests
  call ept_tests
  call ept_ad_tests
.no_ept_tests:

  ; --- INVEPT and INVVPID in the guest: VM exits 50 and 53 (or #UD) ---
  PUTS32 "guest-invept-sib"
  mov dword [MASK], 0xffff8783   ; table 27-9: 6:2 and 14:11 undefined
  RUN g_inv1
  call print_inv_exit
  PUTS32 "guest-invvpid-disp32"
  mov dword [MASK], 0xf8438780   ; no base, no index: 1:0, 21:18, 26:23 undefined too
  RUN g_inv2
  call print_inv_exit
  PUTS32 "guest-invept-ebp"
  mov dword [MASK], 0xffc38780   ; no index: 1:0, 21:18 undefined too
  RUN g_inv3
  call print_inv_exit
  PUTS32 "guest-invvpid-es"
  RUN g_inv4
  call print_inv_exit
  PUTS32 "guest-invept-reg"      ; mod = 3: #UD before any VM exit (§25.1.1)
  RUN g_inv5
  call print_inv_exit

  PUTS32 "vmxoff"
  vmxoff
  call print_vmres
  call putnl32
  PUTS32 "done"
  call putnl32
  EXIT 0

; --- the EPT cases: translation, EPT violations, EPT misconfigurations ---
ept_tests:
  pop dword [SCRATCH + 0x220]   ; (VM exits reset ESP: keep the return address)
  PUTS32 "ept-4k"
  RUN g_t1
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "ept-2m"
  RUN g_t2
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "ept-1g"
  RUN g_t3
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "ept-4k-write"       ; the guest writes P_MAP + 44H: P_HOST + 44H changes
  mov dword [P_MAP + 0x44], 0
  mov dword [P_HOST + 0x44], 0
  RUN g_t4
  call print_exit_short
  call print_rip
  mov eax, [P_MAP + 0x44]
  call sys_hex32_32
  mov eax, [P_HOST + 0x44]
  call sys_hex32_32
  PUTS32 " ad"                ; bits 9:8 of P_MAP's EPT PTE: EPTP bit 6 is 0 here
  mov eax, [EPT_PT + (P_MAP >> 12) * 8]
  and eax, 0x300
  call sys_hex32_32
  call putnl32

  ; EPT violations: each exit, then the host repairs the entry, INVEPT, and
  ; the guest retries the instruction
  PUTS32 "viol-pte-page"      ; the guest's page table G_PT1 is not present in EPT
  RUN g_pte
  call print_ept_exit
  EPTE G_PT1, G_PT1 | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_pte
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "viol-pd-page"       ; the guest's page directory (CR3) is not present in EPT
  EPTE G_PD, 0
  call invept_all
  RUN g_first
  call print_ept_exit
  EPTE G_PD, G_PD | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_first
  call print_exit_short
  call print_rip
  call putnl32
  PUTS32 "viol-write-rx"      ; a write to an EPT read+execute page
  RUN g_ro
  call print_ept_exit
  EPTE P_RO, P_RO | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_ro
  call print_exit_short
  call print_rip
  mov eax, [P_RO + 0x24]
  call sys_hex32_32
  call putnl32
  PUTS32 "viol-read-np"       ; a read of a page not present in EPT
  RUN g_np
  call print_ept_exit
  EPTE P_NP, P_NP | WB_RWX
  call invept_all
  PUTS32 " retry"
  RUN g_np
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "viol-fetch-rw"      ; an instruction fetch from an EPT read+write page
  mov dword [P_NX + 0x10], 0x5a5a5ab8   ; mov eax, 5A5A5A5AH
  mov dword [P_NX + 0x14], 0xc1010f5a   ; ... vmcall
  RUN g_nx
  call print_ept_exit
  EPTE P_NX, P_NX | WB_RWX
  call invept_single
  PUTS32 " retry"
  call resume_len
  mov [SAVEAX], eax
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "viol-dirty"         ; a write with the guest PTE's D = 0, G_PT2 EPT read-only
  RUN g_ad
  call print_ept_exit
  EPTE G_PT2, G_PT2 | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_ad
  call print_exit_short
  call print_rip
  mov eax, [P_AD + 0x10]
  call sys_hex32_32
  mov eax, [G_PT2]
  and eax, 0xfff
  call sys_hex32_32
  call putnl32
  PUTS32 "viol-accessed"      ; a read with the guest PTE's A = 0, G_PT2 EPT read-only
  EPTE G_PT2, G_PT2 | 0x31
  call invept_single
  RUN g_acc
  call print_ept_exit
  EPTE G_PT2, G_PT2 | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_acc
  call print_exit_short
  call print_rip
  call print_eax
  mov eax, [G_PT2 + 4]
  and eax, 0xfff
  call sys_hex32_32
  call putnl32

  ; an EPT violation during event delivery (§27.2.3): the guest's IDT page
  ; not present in EPT, met by INT 31H and by a #UD's delivery
  PUTS32 "viol-idt-int"
  EPTE IDT_A, 0
  call invept_all
  mov dword [RES32], g_int_done + ROMB  ; (the guest's pm_common goes on there)
  mov dword [VEC32], 0xffffffff
  RUN g_int
  call print_vect_exit
  PUTS32 " len"
  VMR XLEN
  call sys_hex32_32
  EPTE IDT_A, IDT_A | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_int
  call print_exit_short
  call print_rip
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  call putnl32
  PUTS32 "viol-idt-exception"  ; #UD not in the exception bitmap: delivered through the IDT
  VMW EXCBMP, 0
  EPTE IDT_A, 0
  call invept_all
  RUN g_ud
  call print_vect_exit
  call putnl32
  PUTS32 "viol-idt-gp"        ; #GP(1238H) from MOV DS: its error code too
  RUN g_gp
  call print_vect_exit
  PUTS32 " err"
  VMR 0x440a                  ; IDT-vectoring error code
  call sys_hex32_32
  call putnl32
  EPTE IDT_A, IDT_A | WB_RWX
  call invept_single
  VMW EXCBMP, 0xffffffff

  ; accesses that cross into a page EPT refuses
  PUTS32 "viol-fetch-split"   ; MOV EAX, imm32 at P_NX2 - 2: its last 3 bytes in P_NX2
  mov dword [P_NX2 - 4], 0x5ab80000     ; B8 5A | 5A 5A 5A (mov eax, 5A5A5A5AH)
  mov dword [P_NX2], 0x0f5a5a5a
  mov dword [P_NX2 + 4], 0x0000c101      ; 0F 01 C1 (vmcall) at P_NX2 + 3
  EPTE P_NX2, P_NX2 | 0x33
  call invept_all
  mov ecx, P_NX2 - 2
  RUN g_jmpecx
  call print_ept_exit
  EPTE P_NX2, P_NX2 | WB_RWX
  call invept_single
  PUTS32 " retry"
  call resume_len
  mov [SAVEAX], eax
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "viol-write-split"   ; a dword store at P_W2 - 2, P_W2 read+execute
  mov dword [P_W2 - 4], 0xaaaaaaaa
  mov dword [P_W2], 0xbbbbbbbb
  EPTE P_W2, P_W2 | 0x35
  call invept_all
  RUN g_wsplit
  call print_ept_exit
  PUTS32 " mem"
  mov eax, [P_W2 - 4]
  call sys_hex32_32
  mov eax, [P_W2]
  call sys_hex32_32
  EPTE P_W2, P_W2 | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_wsplit
  call print_exit_short
  call print_rip
  mov eax, [P_W2 - 4]
  call sys_hex32_32
  mov eax, [P_W2]
  call sys_hex32_32
  call putnl32
  PUTS32 "viol-read-split"    ; a dword load at P_W2 - 1, P_W2 not present
  EPTE P_W2, 0
  call invept_all
  RUN g_rsplit
  call print_ept_exit
  EPTE P_W2, P_W2 | WB_RWX
  call invept_single
  PUTS32 " retry"
  RUN g_rsplit
  call print_exit_short
  call print_rip
  call print_eax
  call putnl32
  PUTS32 "viol-fetch-split-opcode"  ; VMCALL at P_NX3 - 1: 0F | 01 C1
  mov byte [P_NX3 - 1], 0x0f
  mov word [P_NX3], 0xc101
  EPTE P_NX3, P_NX3 | 0x33
  call invept_all
  mov ecx, P_NX3 - 1
  RUN g_jmpecx
  call print_ept_exit
  EPTE P_NX3, P_NX3 | WB_RWX
  call invept_single
  PUTS32 " retry"
  call resume_len
  call print_exit_short
  call print_rip
  call putnl32
  PUTS32 "viol-read-then-write"  ; a read of an EPT read-only page, then a write to it
  mov dword [P_R4 + 0x40], 0x0badf00d
  EPTE P_R4, P_R4 | 0x31
  call invept_all
  RUN g_rw
  call print_ept_exit
  call print_eax
  call putnl32
  PUTS32 "viol-read-then-fetch"  ; a read of an EPT read+write page, then a jump to it
  mov dword [P_NX4 + 0x20], 0xc1010f90  ; nop, vmcall
  EPTE P_NX4, P_NX4 | 0x33
  call invept_all
  mov ecx, P_NX4 + 0x20
  RUN g_readjmp
  call print_ept_exit
  call print_eax
  call putnl32
  PUTS32 "viol-rmw"           ; ADD to the same read-only page: a read-modify-write
  mov dword [P_R4 + 8], 0x1000
  RUN g_rmw
  PUTS32 " exit"
  VMR REASON
  call sys_hex32_32
  VMR QUAL
  and eax, ~1                 ; bit 0 (data read) is implementation-specific here
  call sys_hex32_32
  call print_rip
  PUTS32 " gpa"
  VMR GPA_HI
  call sys_hex32_32
  VMR GPA_LO
  call sys_hex32_32
  PUTS32 " lin"
  VMR G_LIN
  call sys_hex32_32
  mov eax, [P_R4 + 8]
  call sys_hex32_32
  call putnl32
  PUTS32 "viol-rep-movsd"     ; REP MOVSD of 8 dwords to P_W3 - 12: the 4th store is refused
  mov edi, P_SRC
  mov eax, 0x11111111
.src:
  mov [edi], eax
  add eax, 0x11111111
  add edi, 4
  cmp edi, P_SRC + 32
  jne .src
  mov dword [P_W3 - 16], 0
  mov dword [P_W3], 0
  EPTE P_W3, P_W3 | 0x35
  call invept_all
  RUN g_rep
  mov [SCRATCH + 0x240], ecx  ; the guest's registers at the exit
  mov [SCRATCH + 0x244], esi
  mov [SCRATCH + 0x248], edi
  call print_ept_exit
  PUTS32 " ecx"
  mov eax, [SCRATCH + 0x240]
  call sys_hex32_32
  PUTS32 " esi"
  mov eax, [SCRATCH + 0x244]
  call sys_hex32_32
  PUTS32 " edi"
  mov eax, [SCRATCH + 0x248]
  call sys_hex32_32
  PUTS32 " mem"
  mov eax, [P_W3 - 4]
  call sys_hex32_32
  mov eax, [P_W3]
  call sys_hex32_32
  EPTE P_W3, P_W3 | WB_RWX
  call invept_single
  PUTS32 " retry"
  mov ecx, [SCRATCH + 0x240]  ; (VMX keeps no GPRs: the guest's again)
  mov esi, [SCRATCH + 0x244]
  mov edi, [SCRATCH + 0x248]
  call resume_len
  mov [SCRATCH + 0x240], ecx
  call print_exit_short
  call print_rip
  PUTS32 " ecx"
  mov eax, [SCRATCH + 0x240]
  call sys_hex32_32
  mov eax, [P_W3]
  call sys_hex32_32
  mov eax, [P_W3 + 16]
  call sys_hex32_32
  call putnl32
  ; the guest's own paging refuses first: a write to a read-only page with
  ; CR0.WP = 1 is the guest's #PF, though EPT maps nothing at its address
  PUTS32 "pf-before-ept"
  EPTE P_RO3, 0
  call invept_all
  mov dword [G_PT1 + 12], P_RO3 | 0x61  ; dirty, accessed, supervisor, read-only, present
  VMR G_CR0
  or eax, 1 << 16
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx
  RUN g_wp
  call print_exit_short
  call print_rip
  PUTS32 " intr"
  VMR XINFO
  call sys_hex32_32
  PUTS32 " err"
  VMR XERR
  call sys_hex32_32
  call putnl32
  VMR G_CR0
  and eax, ~(1 << 16)
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx

  ; MOV to CR3 of an address EPT does not map is no EPT access (§28.2.3): the
  ; violation comes with the next instruction's fetch, reading its PDE
  PUTS32 "viol-cr3-later"
  EPTE G_PD2, 0
  call invept_all
  VMW 0x400a, 1               ; CR3-target value 0 = G_PD2: no CR3-load exit (§25.1.3)
  VMW 0x6008, G_PD2
  RUN g_cr3
  call print_ept_exit
  call putnl32
  VMW 0x400a, 0
  VMW 0x6802, G_PD
  EPTE G_PD2, G_PD2 | WB_RWX
  call invept_all

  ; EPT misconfigurations (§28.2.3.1)
  PUTS32 "mc-wx"              ; bits 2:0 = 110
  EPTE P_MC, P_MC | 0x36
  call mc_case
  PUTS32 "mc-w"               ; bits 2:0 = 010
  EPTE P_MC, P_MC | 0x32
  call mc_case
  PUTS32 "mc-x"               ; 100: execute-only, not supported (48CH bit 0 = 0)
  EPTE P_MC, P_MC | 0x34
  call mc_case
  PUTS32 "mc-type2"
  EPTE P_MC, P_MC | 0x17
  call mc_case
  PUTS32 "mc-type3"
  EPTE P_MC, P_MC | 0x1f
  call mc_case
  PUTS32 "mc-type7"
  EPTE P_MC, P_MC | 0x3f
  call mc_case
  PUTS32 "mc-maxphyaddr"      ; bit N of the address (51:N reserved)
  EPTE P_MC, P_MC | WB_RWX
  mov eax, [NBIT]
  mov [EPT_PT + (P_MC >> 12) * 8 + 4], eax
  call mc_case
  EPTE P_MC, P_MC | WB_RWX
  PUTS32 "mc-2m-reserved"     ; bit 12 of a 2-MByte PDE (bits 20:12 reserved)
  or dword [EPT_PD + 8], 1 << 12
  call invept_all
  RUN g_t2
  call print_mc_exit
  and dword [EPT_PD + 8], ~(1 << 12)
  PUTS32 "mc-1g-reserved"     ; bit 12 of a 1-GByte PDPTE (bits 29:12 reserved)
  or dword [EPT_PDPT + 8], 1 << 12
  call invept_all
  RUN g_t3
  call print_mc_exit
  and dword [EPT_PDPT + 8], ~(1 << 12)
  ; a reserved bit in an entry every guest access uses: the guest's first
  ; access, the read of its PDE for the first instruction fetch, is refused
  PUTS32 "mc-pde-reserved"    ; bit 3 of a PDE that references a page table
  or dword [EPT_PD], 1 << 3
  call invept_all
  RUN g_first
  call print_mc_exit
  and dword [EPT_PD], ~(1 << 3)
  PUTS32 "mc-pml4e-bit7"      ; bits 7:3 of a PML4E are reserved
  or dword [EPT_PML4], 1 << 7
  call invept_all
  RUN g_first
  call print_mc_exit
  and dword [EPT_PML4], ~(1 << 7)
  PUTS32 "mc-pdpte-wx"        ; 110 in a non-leaf entry
  xor dword [EPT_PDPT], 7 ^ 6
  call invept_all
  RUN g_first
  call print_mc_exit
  xor dword [EPT_PDPT], 7 ^ 6
  call invept_all
  PUTS32 "after-mc"           ; all repaired: the guest runs again
  RUN g_mc
  call print_exit_short
  call print_rip
  call putnl32

  ; --- a PAE guest: with EPT its PDPTEs come from the VMCS at VM entry
  ; (§26.3.2.4) and go back there at VM exit (§27.3.4); MOV to CR3 loads them
  ; from guest-physical memory (§28.2.1) ---
  mov dword [0x1234], 0x99999999
  VMR 0x6804
  or eax, 0x20                ; CR4.PAE
  mov ebx, eax
  mov eax, 0x6804
  vmwrite eax, ebx
  VMW 0x6802, PDPT_MEM
  VMW 0x400a, 1               ; CR3-target value 0 = PDPT_MEM: MOV to CR3 does not exit (§25.1.3)
  VMW 0x6008, PDPT_MEM
  VMW 0x280a, PD_A | 1        ; PDPTE0; PDPTE1-3 not present
  VMW 0x280b, 0
  VMW 0x280c, 0
  VMW 0x280d, 0
  VMW 0x280e, 0
  VMW 0x280f, 0
  VMW 0x2810, 0
  VMW 0x2811, 0
  PUTS32 "pae-vmcs-pdpte"     ; linear 201234H through PD_A: guest-physical 201234H, host 401234H
  RUN g_pae1
  call print_exit_short
  call print_rip
  call print_eax
  call print_pdpte0
  call putnl32
  PUTS32 "pae-mov-cr3"        ; MOV to CR3 loads PDPTE0 = PD_B | 1: linear 201234H is 1234H
  VMW G_RIP, g_pae2 + ROMB
  call resume_len
  mov [SAVEAX], eax
  call print_exit_short
  call print_rip
  call print_eax
  call print_pdpte0
  call putnl32
  PUTS32 "pae-pdpte-reserved" ; bit 1 of the VMCS's PDPTE0 (reserved, §26.3.1.6)
  VMW 0x280a, PD_A | 3
  VMW G_RIP, g_pae1 + ROMB
  ENTRY_FAILS
  VMW 0x280a, PD_A | 1
  PUTS32 "pae-pdpte-violation" ; MOV to CR3 with the PDPT page not present in EPT
  EPTE PDPT_MEM, 0
  call invept_all
  VMW G_RIP, g_pae2_cr3 + ROMB
  mov ecx, PDPT_MEM
  call resume_len
  call print_gpa_exit
  EPTE PDPT_MEM, PDPT_MEM | WB_RWX
  call invept_single
  PUTS32 " retry"
  mov ecx, PDPT_MEM           ; (VMX keeps no GPRs: the guest's ECX again)
  call resume_len
  mov [SAVEAX], eax
  call print_exit_short
  call print_rip
  call print_eax
  call print_pdpte0
  call putnl32
  ; MOV to CR3's PDPTE loads with accessed and dirty flags for EPT: reads
  ; (§28.3.3.2), unlike the walk's reads of the guest's page directory
  PUTS32 "pae-ad"
  and dword [EPT_PT + (PDPT_MEM >> 12) * 8], ~0x300
  and dword [EPT_PT + (PD_B >> 12) * 8], ~0x300
  and dword [EPT_PT + 8], ~0x300
  VMW 0x201a, EPTP | (1 << 6)
  call invept_all
  VMW G_RIP, g_pae2 + ROMB
  mov ecx, PDPT_MEM
  call resume_len
  mov [SAVEAX], eax
  call print_exit_short
  call print_rip
  ADBITS EPT_PT + (PDPT_MEM >> 12) * 8
  ADBITS EPT_PT + (PD_B >> 12) * 8
  ADBITS EPT_PT + 8
  call putnl32
  VMW 0x201a, EPTP
  call invept_all
  VMR 0x6804
  and eax, ~0x20
  mov ebx, eax
  mov eax, 0x6804
  vmwrite eax, ebx
  VMW 0x6802, G_PD
  VMW 0x400a, 0
  jmp [SCRATCH + 0x220]

; --- accessed and dirty flags for EPT (§28.3.5): the guest on EPTP_AD, whose
; tables start with bits 9:8 clear everywhere, reads and writes through its own
; page table; the host prints bits 9:8 of the EPT entries after the exit ---
ept_ad_tests:
  pop dword [SCRATCH + 0x228]
  mov edi, A_PML4
  xor eax, eax
  mov ecx, 0x4000 / 4
  rep stosd
  mov edi, GA_PD
  mov ecx, 0x2000 / 4
  rep stosd
  mov dword [A_PML4], A_PDPT | 7
  mov dword [A_PML4 + 8], A_PDPT | 7      ; 512 GiB up: never used
  mov dword [A_PDPT], A_PD | 7
  mov dword [A_PDPT + 8], 0x00000000 | 0x80 | WB_RWX   ; 1 GiB up: host 0
  mov dword [A_PD], A_PT | 7
  mov dword [A_PD + 8], 0x00400000 | 0x80 | WB_RWX     ; 2-4 MiB: host 400000H
  mov edi, A_PT
  mov eax, WB_RWX
.pt:
  mov [edi], eax
  add eax, 0x1000
  add edi, 8
  cmp edi, A_PT + 0x1000
  jne .pt
  mov dword [GA_PD], 0x000000e7           ; 4 MiB identity, D, A, user, writable, present
  mov dword [GA_PD + 4], GA_PT | 0x07     ; A = 0
  mov dword [GA_PD + 0x100 * 4], 0x400000e7
  mov dword [GA_PT], P_ADR | 0x07         ; A = 0, D = 0
  mov dword [GA_PT + 4], P_ADW | 0x07
  mov dword [GA_PT + 8], P_ADT | 0x67     ; A = 1, D = 1
  mov dword [GA_PT + 12], P_ADU | 0x07
  mov dword [P_ADR + 0x10], 0xaaaa0001
  mov dword [P_ADT + 0x30], 0xaaaa0003
  VMW 0x6802, GA_PD
  VMW 0x201a, EPTP_AD
  call invept_all
  PUTS32 "ad-run"
  RUN g_adrun
  call print_exit_short
  call print_rip
  call print_eax
  PUTS32 " mem"
  mov eax, [P_ADW + 0x20]
  call sys_hex32_32
  mov eax, [P_ADT + 0x34]
  call sys_hex32_32
  mov eax, [0x401100]                     ; guest-physical 201100H: host 401100H
  call sys_hex32_32
  call putnl32
  PUTS32 "ad-guest-flags"                 ; the guest's own A/D updates (vol. 3A §4.8)
  mov eax, [GA_PD + 4]
  and eax, 0xfff
  call sys_hex32_32
  mov eax, [GA_PT]
  and eax, 0xfff
  call sys_hex32_32
  mov eax, [GA_PT + 4]
  and eax, 0xfff
  call sys_hex32_32
  call putnl32
  PUTS32 "ad-pml4e"
  ADBITS A_PML4
  ADBITS A_PML4 + 8
  call putnl32
  PUTS32 "ad-pdpte"
  ADBITS A_PDPT
  ADBITS A_PDPT + 8
  call putnl32
  PUTS32 "ad-pde"
  ADBITS A_PD
  ADBITS A_PD + 8
  call putnl32
  PUTS32 "ad-pte"
  ADBITS A_PT + (GA_PD >> 12) * 8
  ADBITS A_PT + (GA_PT >> 12) * 8
  ADBITS A_PT + (P_ADR >> 12) * 8
  ADBITS A_PT + (P_ADW >> 12) * 8
  ADBITS A_PT + (P_ADT >> 12) * 8
  ADBITS A_PT + (P_ADU >> 12) * 8
  mov ebx, g_adrun + ROMB                 ; the page of the guest's code
  shr ebx, 12
  mov eax, [A_PT + ebx * 8]
  and eax, 0x300
  call sys_hex32_32
  call putnl32
  ; the guest's page table EPT read-only: with the flags on, even a read of a
  ; guest PTE whose A is already set is a write for EPT (§28.3.3.2)
  PUTS32 "ad-viol-table"
  mov dword [A_PT + (GA_PT >> 12) * 8], GA_PT | 0x31
  call invept_all
  RUN g_adviol
  call print_ept_exit
  call putnl32
  mov dword [A_PT + (GA_PT >> 12) * 8], GA_PT | WB_RWX
  VMW 0x6802, G_PD
  VMW 0x201a, EPTP
  call invept_all
  jmp [SCRATCH + 0x228]

mc_case:                       ; INVEPT, the guest reads P_MC + 8: " exit 31H rip gpa"
  pop dword [SCRATCH + 0x224]
  call invept_all
  RUN g_mc
  call print_mc_exit
  jmp [SCRATCH + 0x224]

invept_single:                 ; INVEPT type 1 for EPTP; a failure is printed
  DESC4 EPTP, 0, 0, 0
  mov eax, 1
  invept eax, [DESC]
  jmp invept_check
invept_all:
  mov eax, 2
  invept eax, [DESC]
invept_check:
  jbe .fail                   ; CF or ZF
  ret
.fail:
  PUTS32 " invept-failed"
  ret

; The EPT paging structures: guest-physical 0-2 MiB in 4-KByte pages
; (identity, but for the test pages), 2-4 MiB one 2-MByte page at host
; 400000H, 1-2 GiB one 1-GByte page at host 0. The guest's paging: a 4-MByte
; identity page at 0 and at 40000000H, page tables for 4-8 and 8-12 MiB.
build_tables:
  mov edi, EPT_PML4
  xor eax, eax
  mov ecx, 0x4000 / 4
  rep stosd
  mov edi, G_PD
  mov ecx, 0x4000 / 4
  rep stosd
  mov dword [EPT_PML4], EPT_PDPT | 7
  mov dword [EPT_PDPT], EPT_PD | 7
  mov dword [EPT_PDPT + 8], 0x00000000 | 0x80 | WB_RWX
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
  EPTE P_MAP, P_HOST | WB_RWX
  EPTE G_PT1, 0               ; not present
  EPTE P_RO, P_RO | 0x35      ; read, execute
  EPTE P_NP, 0
  EPTE P_NX, P_NX | 0x33      ; read, write
  EPTE G_PT2, G_PT2 | 0x31    ; read only
  mov dword [G_PD], 0x000000e7          ; 4 MiB, D, A, user, writable, present
  mov dword [G_PD + 4], G_PT1 | 0x27
  mov dword [G_PD + 8], G_PT2 | 0x27
  mov dword [G_PD + 0x100 * 4], 0x400000e7
  mov dword [G_PT1], P_MAP | 0x67
  mov dword [G_PT1 + 4], P_RO | 0x67
  mov dword [G_PT1 + 8], P_NP | 0x67
  mov dword [G_PT2], P_AD | 0x23        ; accessed, not dirty
  mov dword [G_PT2 + 4], P_AD | 0x03    ; neither
  mov dword [P_AD + 0x10], 0
  mov dword [P_AD + 0x20], 0x88888888
  mov edi, PDPT_MEM           ; the PAE guest's tables: PDPT, PD_A, PD_B
  xor eax, eax
  mov ecx, 0x3000 / 4
  rep stosd
  mov dword [PDPT_MEM], PD_B | 1
  mov dword [PD_A], 0x000000e3          ; 2 MiB, D, A, writable, present
  mov dword [PD_A + 8], 0x002000e3
  mov dword [PD_B], 0x000000e3
  mov dword [PD_B + 8], 0x000000e3
  mov dword [P_MAP + 0x40], 0x11111111   ; what the guest would see without EPT
  mov dword [P_HOST + 0x40], 0x22222222  ; what EPT maps guest-physical P_MAP to
  mov dword [0x201234], 0x33333333
  mov dword [0x401234], 0x44444444       ; 2 MiB page: guest-physical 200000H -> 400000H
  mov dword [P_1G], 0x55555555           ; 1 GiB page: guest-physical 40000000H -> 0
  mov dword [P_HOST + 0x123], 0x66666666
  mov dword [P_NP + 0x38], 0x77777777
  ret

; --- printing ---
print_field:                   ; "field E f=.. [n=..]" for VMREAD of encoding ESI
  PUTS32 "field"
  mov eax, esi
  call sys_hex32_32
  vmread eax, esi
  call print_vmres
  call putnl32
  ret

print_rip:                     ; " rip" and the guest's RIP relative to guest_code
  PUTS32 " rip"
  VMR G_RIP
  sub eax, guest_code + ROMB
  call sys_hex32_32
  ret
print_ept_exit:                ; " exit R Q rip O gpa HI LO lin L"
  call print_exit_short
  call print_rip
  PUTS32 " gpa"
  VMR GPA_HI
  call sys_hex32_32
  VMR GPA_LO
  call sys_hex32_32
  PUTS32 " lin"
  VMR G_LIN
  call sys_hex32_32
  ret

print_vect_exit:               ; " exit R Q rip O gpa HI LO lin L vect V" (Q without bit 12)
  PUTS32 " exit"
  VMR REASON
  call sys_hex32_32
  VMR QUAL
  and eax, ~0x1000            ; NMI unblocking: undefined with IDT-vectoring information
  call sys_hex32_32
  call print_rip
  PUTS32 " gpa"
  VMR GPA_HI
  call sys_hex32_32
  VMR GPA_LO
  call sys_hex32_32
  PUTS32 " lin"
  VMR G_LIN
  call sys_hex32_32
  PUTS32 " vect"
  VMR 0x4408
  call sys_hex32_32
  ret

print_gpa_exit:                ; " exit R Q rip O gpa HI LO" (no guest-linear address)
  call print_exit_short
  call print_rip
  PUTS32 " gpa"
  VMR GPA_HI
  call sys_hex32_32
  VMR GPA_LO
  call sys_hex32_32
  ret
print_pdpte0:                  ; " pdpte0 HI LO": the guest PDPTE0 field
  PUTS32 " pdpte0"
  VMR 0x280b
  call sys_hex32_32
  VMR 0x280a
  call sys_hex32_32
  ret

print_mc_exit:                 ; " exit R rip O gpa HI LO" (the qualification is undefined)
  PUTS32 " exit"
  VMR REASON
  call sys_hex32_32
  call print_rip
  PUTS32 " gpa"
  VMR GPA_HI
  call sys_hex32_32
  VMR GPA_LO
  call sys_hex32_32
  call putnl32
  ret

print_inv_exit:                ; reason 0: " exit 0 Q rip O info I"; else " exit R Q rip O len L info I&MASK"
  call print_exit_short
  call print_rip
  VMR REASON
  test eax, eax
  jz .exc
  PUTS32 " len"
  VMR XLEN
  call sys_hex32_32
  PUTS32 " info"
  VMR XIINFO
  and eax, [MASK]
  call sys_hex32_32
  call putnl32
  ret
.exc:
  PUTS32 " intr"
  VMR XINFO
  call sys_hex32_32
  call putnl32
  ret

; --- the guest (VMX non-root, ring 0, CR3 = G_PD) ---
guest_code:
g_first:
  vmcall
g_t1:
  mov eax, [P_MAP + 0x40]
g_t1_end:
  vmcall
g_t2:
  mov eax, [0x201234]
g_t2_end:
  vmcall
g_t3:
  mov eax, [0x40000000 + P_1G]
g_t3_end:
  vmcall
g_t4:
  mov dword [P_MAP + 0x44], 0x5eed0004
g_t4_end:
  vmcall
g_pte:
  mov eax, [0x400123]         ; linear 400123H: PTE G_PT1[0], page P_MAP
g_pte_end:
  vmcall
g_ro:
  mov dword [0x401024], 0xcafe0001   ; PTE G_PT1[1]: page P_RO
g_ro_end:
  vmcall
g_np:
  mov eax, [0x402038]         ; PTE G_PT1[2]: page P_NP
g_np_end:
  vmcall
g_nx:
  mov eax, P_NX + 0x10
  jmp eax                     ; P_NX + 10H: B8 5A5A5A5A (mov eax), 0F 01 C1 (vmcall)
g_ad:
  mov dword [0x800010], 0xd00d0005   ; PTE G_PT2[0]: D = 0
g_ad_end:
  vmcall
g_acc:
  mov eax, [0x801020]         ; PTE G_PT2[1]: A = 0
g_acc_end:
  vmcall
g_mc:
  mov eax, [P_MC + 8]
g_mc_end:
  vmcall
g_int:
  int 0x31
g_int_done:
  vmcall
g_ud:
  ud2
g_gp:
  mov ax, 0x1238
g_gp_mov:
  mov ds, ax
g_jmpecx:
  jmp ecx
g_wsplit:
  mov dword [P_W2 - 2], 0x12345678
g_wsplit_end:
  vmcall
g_rw:
  mov eax, [P_R4 + 0x40]
g_rw_write:
  mov [P_R4 + 0x44], eax
  vmcall
g_readjmp:
  mov eax, [ecx]
  jmp ecx
g_rmw:
  add [P_R4 + 8], eax
g_rep:
  mov esi, P_SRC
  mov edi, P_W3 - 12
  mov ecx, 8
g_rep_movs:
  rep movsd
g_rep_end:
  vmcall
g_rsplit:
  mov eax, [P_W2 - 1]
g_rsplit_end:
  vmcall
g_wp:
  mov dword [0x403010], 1
g_cr3:
  mov ecx, G_PD2
  mov cr3, ecx
g_cr3_next:
  vmcall
g_pae1:
  mov eax, [0x201234]
g_pae1_end:
  vmcall
g_pae2:
  mov ecx, PDPT_MEM
g_pae2_cr3:
  mov cr3, ecx
  mov eax, [0x201234]
g_pae2_end:
  vmcall
g_adrun:                       ; CR3 = GA_PD, EPTP_AD
  mov eax, [0x400010]         ; GA_PT[0]: P_ADR + 10H, a read
  mov dword [0x401020], 0xaaaa0002   ; GA_PT[1]: P_ADW + 20H, a write
  mov ecx, [0x402030]         ; GA_PT[2] (D already set): P_ADT + 30H, read...
  mov [0x402034], ecx         ; ... then written
  mov edx, [0x40000000 + P_1G]       ; the 1-GByte EPT page, a read
  mov dword [0x201100], 0xaaaa0004   ; the 2-MByte EPT page, a write
g_adrun_end:
  vmcall
g_adviol:
  mov eax, [0x400010]
  vmcall
g_inv1:
  invept eax, [ebx + esi * 4 + 0x10]
g_inv2:
  invvpid ecx, [0x12345678]
g_inv3:
  invept edx, [ebp - 8]
g_inv4:
  invvpid esi, [es:eax]
g_inv5:
  db 0x66, 0x0f, 0x38, 0x80, 0xc1   ; INVEPT EAX, ECX
g_inv_end:
  vmcall

ROM_END
