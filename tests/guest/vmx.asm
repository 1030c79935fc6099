; VMX (SDM vol. 3 ch. 23-31) under -cpu pentium2,+vmx: CPUID.1:ECX.VMX,
; IA32_FEATURE_CONTROL, the capability MSRs, CR4.VMXE, VMXON/VMXOFF/VMCLEAR/
; VMPTRLD/VMPTRST/VMREAD/VMWRITE with their faults and VMfail results, the
; VM-entry control/host/guest checks, and a 32-bit protected-mode guest whose
; exits (CPUID, OUT, IN, RDTSC, HLT, INVD, MOV CR3, VMREAD, exceptions, VMCALL)
; the host prints and resumes from. vmx.test.ts holds the expected output,
; worked out from the SDM (no reference machine has VMX).
;
; Output: after each VMX instruction "f=" and the arithmetic flags (CF 01, ZF
; 40), or " v=.." for an exception (sys-pm.inc). Each VM exit prints
; "exit REASON QUAL LEN RIP INFO" (RIP relative to the guest code's start,
; INFO the exit instruction information or interruption information).
%include "lib/rom.inc"
%include "lib/pic.inc"
%include "sys-lib.inc"
%define PM_MAIN vmx_main
%include "sys-pm.inc"
cpu any

VMXON_R  equ 0x20000   ; the VMXON region
VMCS_A   equ 0x21000   ; the VMCS
VMCS_BAD equ 0x22000   ; a region with another revision identifier
PD       equ 0x23000   ; page directory: one 4 MiB page, identity
SCRATCH  equ 0x24000
MSRBMP   equ 0x25000   ; the MSR bitmaps
LAPIC    equ 0xfee00000
IOBMP    equ 0x26000   ; I/O bitmaps A and B
TSS2     equ 0x3100    ; a second TSS, for the task-switch exit
MSRLIST  equ 0x28000   ; MSR-load and MSR-store lists (16-byte entries)
VAPIC    equ 0x29000   ; the virtual-APIC page (use TPR shadow)
%include "vmx-lib.inc"

main:
  jmp pm_enter

bits 32
vmx_main:
%ifdef HOSTLOOP
  mov ecx, HOSTLOOP
.hostloop:
  add eax, ecx
  xor ebx, eax
  lea edx, [eax+ebx*2]
  dec ecx
  jnz .hostloop
%endif
  ; --- the feature ---
  PUTS32 "cpuid1.ecx"
  mov eax, 1
  cpuid
  mov eax, ecx
  call sys_hex32_32
  call putnl32
  mov [SCRATCH + 0x200], ecx
  PUTS32 "feature-control"
  TRY32
  mov ecx, 0x3a
  rdmsr
  call sys_hex32_32
  ENDTRY32
  call putnl32

  ; IA32_DEBUGCTL (1D9H), which kvm_intel reads: 0, writable with 0; LBR (bit
  ; 0) is not implemented, so setting it is #GP(0)
  PUTS32 "debugctl"
  TRY32
  mov ecx, 0x1d9
  xor eax, eax
  xor edx, edx
  wrmsr
  rdmsr
  call sys_hex32_32
  ENDTRY32
  PUTS32 " lbr"
  TRY32
  mov ecx, 0x1d9
  mov eax, 1
  xor edx, edx
  wrmsr
  ENDTRY32
  call putnl32

  ; --- capability MSRs 480H-48AH, then 48BH (none: no secondary controls) ---
  mov esi, 0x480
.caps:
  PUTS32 "msr"
  mov eax, esi
  call sys_hex32_32
  TRY32
  mov ecx, esi
  rdmsr
  xchg eax, edx
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  ENDTRY32
  call putnl32
  inc esi
  cmp esi, 0x48c
  jne .caps

  ; --- CR4.VMXE; VMXON's #GP(0) conditions ---
  PUTS32 "cr4.vmxe"
  TRY32
  mov eax, cr4
  or eax, 0x2010              ; VMXE, PSE
  mov cr4, eax
  ENDTRY32
  call putnl32
  test dword [SCRATCH + 0x200], 1 << 5
  jnz .present
  ; without VMX: CR4.VMXE stays 0, so VMXON is #UD; VMCALL outside VMX operation too
  PUTS32 "vmxon-absent"
  TRY32
  vmxon [SCRATCH]
  ENDTRY32
  PUTS32 " vmcall"
  TRY32
  vmcall
  ENDTRY32
  call putnl32
  EXIT 0
.present:
  mov dword [VMXON_R], 0x52   ; IA32_VMX_BASIC[30:0]
  mov dword [VMCS_A], 0x52
  mov dword [VMCS_BAD], 0x53
  mov dword [SCRATCH], VMXON_R
  mov dword [SCRATCH + 4], 0
  PUTS32 "vmxon-unlocked"     ; IA32_FEATURE_CONTROL.lock = 0
  TRY32
  vmxon [SCRATCH]
  ENDTRY32
  call putnl32
  PUTS32 "fc-write"
  TRY32
  mov ecx, 0x3a
  mov eax, 5                  ; lock, VMX outside SMX
  xor edx, edx
  wrmsr
  rdmsr
  call sys_hex32_32
  ENDTRY32
  PUTS32 " again"
  TRY32
  mov eax, 5
  wrmsr                       ; locked: #GP(0)
  ENDTRY32
  call putnl32
  PUTS32 "vmxon-nopaging"     ; CR0.PG is fixed to 1 in VMX operation
  TRY32
  vmxon [SCRATCH]
  ENDTRY32
  call putnl32

  ; --- paging: one 4 MiB identity page, and the one holding the I/O APIC and
  ; the local APIC. CR4.VMXE|PSE and IA32_FEATURE_CONTROL were written above,
  ; as test cases of their own (cr4.vmxe, fc-write): no CR4 bits, fc_none ---
  VMX_HOST_SETUP PD, 0, fc_none, 0xfec00000, 0xfec00087

  PUTS32 "vmread-off"         ; outside VMX operation: #UD
  TRY32
  VMR ERRNO
  ENDTRY32
  call putnl32
  PUTS32 "vmxon-cpl3"
  TRY32
  RING3 .ring3
.ring3:
  vmxon [SCRATCH]
  int 0x80
  ENDTRY32
  call putnl32
  PUTS32 "vmxon-misaligned"
  mov dword [SCRATCH], VMXON_R + 8
  vmxon [SCRATCH]
  FL
  call putnl32
  PUTS32 "vmxon-revision"
  mov dword [SCRATCH], VMCS_BAD
  vmxon [SCRATCH]
  FL
  call putnl32
  PUTS32 "vmxon"
  mov dword [SCRATCH], VMXON_R
  vmxon [SCRATCH]
  FL
  call putnl32
  PUTS32 "cr4-clear-vmxe"     ; CR4.VMXE is fixed to 1 in VMX operation
  TRY32
  mov eax, cr4
  and eax, ~0x2000
  mov cr4, eax
  ENDTRY32
  call putnl32

  ; --- no current VMCS: VMfailInvalid ---
  PUTS32 "vmxon-again"
  vmxon [SCRATCH]
  FL
  call putnl32
  PUTS32 "vmptrst"
  mov dword [SCRATCH + 8], 0
  mov dword [SCRATCH + 12], 0
  vmptrst [SCRATCH + 8]
  FL
  mov eax, [SCRATCH + 8]
  call sys_hex32_32
  mov eax, [SCRATCH + 12]
  call sys_hex32_32
  call putnl32
  PUTS32 "vmread-novmcs"
  VMR ERRNO
  FL
  call putnl32
  PUTS32 "vmptrld-bad-rev"
  mov dword [SCRATCH], VMCS_BAD
  vmptrld [SCRATCH]
  FL
  call putnl32

  ; --- a current VMCS ---
  PUTS32 "vmclear"
  mov dword [SCRATCH], VMCS_A
  vmclear [SCRATCH]
  FL
  call putnl32
  PUTS32 "vmptrld"
  vmptrld [SCRATCH]
  FL
  vmptrst [SCRATCH + 8]
  mov eax, [SCRATCH + 8]
  call sys_hex32_32
  mov eax, [SCRATCH + 12]
  call sys_hex32_32
  call putnl32
  PUTS32 "vmxon-root"
  mov dword [SCRATCH], VMXON_R
  vmxon [SCRATCH]
  FL
  ERR
  call putnl32
  PUTS32 "vmptrld-vmxon"
  vmptrld [SCRATCH]
  FL
  ERR
  call putnl32
  PUTS32 "vmclear-vmxon"
  vmclear [SCRATCH]
  FL
  ERR
  call putnl32
  PUTS32 "vmclear-misaligned"
  mov dword [SCRATCH], VMCS_A + 0x10
  vmclear [SCRATCH]
  FL
  ERR
  call putnl32
  PUTS32 "vmptrld-above-4g"
  mov dword [SCRATCH], VMCS_A
  mov dword [SCRATCH + 4], 1
  vmptrld [SCRATCH]
  FL
  ERR
  mov dword [SCRATCH + 4], 0
  call putnl32
  PUTS32 "vmptrld-revision"
  mov dword [SCRATCH], VMCS_BAD
  vmptrld [SCRATCH]
  FL
  ERR
  call putnl32
  PUTS32 "vmread-unsupported"  ; 0000H (VPID) needs "enable VPID"
  VMR 0
  FL
  ERR
  call putnl32
  PUTS32 "vmread-high-32bit"   ; bit 0 (high access) on a 32-bit field
  VMR PIN + 1
  FL
  ERR
  call putnl32
  PUTS32 "vmwrite-readonly"
  VMW REASON, 5
  FL
  ERR
  call putnl32
  PUTS32 "vmwrite-16"          ; a 16-bit field keeps the low 16 bits
  VMW 0x0802, 0x12345678
  FL
  VMR 0x0802
  call sys_hex32_32
  call putnl32
  PUTS32 "vmwrite-64"          ; full and high halves of I/O bitmap A
  VMW 0x2000, 0x11223000
  VMW 0x2001, 0x00000007
  VMR 0x2000
  call sys_hex32_32
  VMR 0x2001
  call sys_hex32_32
  VMW 0x2000, 0x11224000        ; a full write: the high half becomes 0
  VMR 0x2001
  call sys_hex32_32
  call putnl32
  PUTS32 "vmread-mem"
  mov dword [SCRATCH + 16], 0
  mov eax, 0x0802
  vmread [SCRATCH + 16], eax
  FL
  mov eax, [SCRATCH + 16]
  call sys_hex32_32
  call putnl32
  PUTS32 "vmresume-clear"
  vmresume
  FL
  ERR
  call putnl32
  PUTS32 "vmcall-root"
  vmcall
  FL
  ERR
  call putnl32

  ; --- the VMCS for a guest that shares the host's GDT, IDT, TSS and paging ---
  call setup_vmcs

  ; controls: a bit the allowed-0 setting requires, cleared -> error 7
  PUTS32 "entry-allowed0"
  mov ecx, 0x481
  rdmsr
  mov ebx, eax
  neg ebx
  and ebx, eax                ; the lowest bit that must be 1
  not ebx
  and ebx, eax
  mov eax, PIN
  vmwrite eax, ebx
  NEXT_EXIT unexpected_exit
  vmlaunch
  FL
  ERR
  call putnl32
  VMW PIN, 0x16
  PUTS32 "entry-allowed1"     ; a bit the allowed-1 setting forbids: activate secondary controls
  VMR PROC
  or eax, 0x80000000
  mov ebx, eax
  mov eax, PROC
  vmwrite eax, ebx
  vmlaunch
  FL
  ERR
  call putnl32
  call set_proc
  PUTS32 "entry-host-cs0"     ; host CS selector 0 -> error 8
  VMW 0x0c02, 0
  vmlaunch
  FL
  ERR
  call putnl32
  VMW 0x0c02, 0x08
  PUTS32 "entry-guest-cr0"    ; guest CR0.PG = 0: fixed bit -> VM exit 80000021H
  mov eax, cr0
  and eax, 0x7fffffff
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx
  NEXT_EXIT .bad_guest
  vmlaunch
  PUTS32 " no exit"
  jmp .bad_guest_done
.bad_guest:
  call print_exit_short
.bad_guest_done:
  call putnl32
  PUTS32 "entry-guest-tr-type"  ; TR with type 9 (available TSS) -> 80000021H
  mov eax, cr0
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx
  VMW 0x4822, 0x0089
  NEXT_EXIT .bad_tr
  vmlaunch
  PUTS32 " no exit"
.bad_tr:
  call print_exit_short
  call putnl32
  VMW 0x4822, 0x008b
  PUTS32 "entry-msr-load"     ; entry 2 of the list names IA32_FS_BASE -> 80000022H, qualification 2
  mov dword [MSRLIST], 0x175
  mov dword [MSRLIST + 4], 0
  mov dword [MSRLIST + 8], 0x5555
  mov dword [MSRLIST + 12], 0
  mov dword [MSRLIST + 16], 0xc0000100
  mov dword [MSRLIST + 20], 0
  mov dword [MSRLIST + 24], 0
  mov dword [MSRLIST + 28], 0
  VMW 0x200a, MSRLIST
  VMW 0x4014, 2
  NEXT_EXIT .bad_msr
  vmlaunch
  PUTS32 " no exit"
.bad_msr:
  call print_exit_short
  call putnl32
  VMW 0x4014, 0
  PUTS32 "launch-state-kept"  ; a failed entry leaves the VMCS clear
  vmresume
  FL
  ERR
  call putnl32

  ; --- the guest runs ---
  NEXT_EXIT .x1
  vmlaunch
  PUTS32 "launch failed"
  FL
  ERR
  call putnl32
  EXIT 1
.x1:
  call print_exit
  call putnl32
%ifdef BENCH
  ; -DBENCH=N: N VM exits and entries (CPUID, RIP not advanced), then exit:
  ; the cost of an exit round trip (docs/VMX.md)
  mov dword [SCRATCH + 0x300], BENCH
.bench:
  NEXT_EXIT .bench_exit
  vmresume
.bench_exit:
  dec dword [SCRATCH + 0x300]
  jnz .bench
  PUTS32 "bench done"
  call putnl32
  EXIT 0
%endif
  PUTS32 "vmlaunch-again"     ; now launched
  vmlaunch
  FL
  ERR
  call putnl32
  call resume_next
  call print_exit             ; OUT imm8
  call putnl32
  call resume_next
  call print_exit             ; OUT DX
  call putnl32
  call resume_next
  call print_exit             ; IN EAX, DX
  call putnl32
  call resume_next
  call print_exit             ; RDTSC
  call putnl32
  call resume_next
  call print_exit             ; HLT
  call putnl32
  call resume_next
  call print_exit             ; INVD
  call putnl32
  call resume_next
  call print_exit             ; MOV EAX, CR3
  call putnl32
  call resume_next
  call print_exit             ; MOV CR3, EAX
  call putnl32
  call resume_next
  call print_exit             ; VMREAD in the guest
  call putnl32
  call resume_next
  call print_exit             ; #UD (no error code)
  call putnl32
  mov ecx, 2                  ; skip the UD2
  call resume_skip
  call print_exit             ; #GP(1238H)
  VMR XERR
  call sys_hex32_32
  call putnl32
  mov ecx, 2                  ; skip MOV DS, AX
  call resume_skip
  call print_exit             ; VMCALL
  call putnl32

  ; event injection: INT 31H (software interrupt, length 2) through the guest's IDT
  PUTS32 "inject "
  VMW INTRINFO, 0x80000431    ; valid, type 4, vector 31H
  VMW ENTRYLEN, 2
  mov dword [RES32], guest_injected + ROMB   ; pm_common (in the guest) goes on there
  mov dword [VEC32], 0xffffffff
  VMR G_RIP
  mov [SCRATCH + 20], eax
  call resume_len
  call print_exit             ; the VMCALL after the handler
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  PUTS32 " ret"
  mov eax, [EIP32]
  sub eax, [SCRATCH + 20]     ; return address = injected RIP + 2
  call sys_hex32_32
  PUTS32 " valid"
  VMR INTRINFO
  call sys_hex32_32           ; the VM exit cleared the valid bit
  call putnl32

  ; the same injection with gate 31H not present and #NP in the bitmap: the
  ; exit reports the #NP and, as IDT-vectoring information, the injected event
  ; (with its length); the guest's RIP is the one the entry started at
  PUTS32 "inject-np "
  and byte [IDT_A + 0x31 * 8 + 5], 0x7f
  VMW EXCBMP, 1 << 11
  VMW INTRINFO, 0x80000431
  VMW ENTRYLEN, 2
  VMR G_RIP
  mov [SCRATCH + 20], eax
  call resume_len
  call print_exit
  VMR XERR
  call sys_hex32_32
  VMR 0x4408                  ; IDT-vectoring information
  call sys_hex32_32
  VMR XLEN
  call sys_hex32_32
  VMR G_RIP
  sub eax, [SCRATCH + 20]
  call sys_hex32_32
  call putnl32
  or byte [IDT_A + 0x31 * 8 + 5], 0x80
  VMW EXCBMP, 0

  ; #PF with the error-code mask/match (SDM vol. 3 §25.2): bit 14 set and
  ; (error & mask) != match: no exit, the guest's own handler runs
  PUTS32 "pf-nomatch "
  VMW EXCBMP, 1 << 14
  VMW 0x4006, 1
  VMW 0x4008, 1
  VMW G_RIP, guest_pf + ROMB
  mov dword [RES32], guest_pf_handled + ROMB
  mov dword [VEC32], 0xffffffff
  call resume_len
  call print_exit             ; the VMCALL after the guest's handler
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  PUTS32 " cr2"
  mov eax, [CR2_32]
  call sys_hex32_32
  call putnl32
  ; mask 0, match 0: every #PF matches, a VM exit; CR2 is not written
  PUTS32 "pf-exit "
  VMW 0x4006, 0
  VMW 0x4008, 0
  mov eax, 0x12345000
  mov cr2, eax
  call resume_next
  call print_exit
  VMR XERR
  call sys_hex32_32
  PUTS32 " cr2"
  mov eax, cr2
  call sys_hex32_32
  call putnl32

  ; MSR bitmaps: only reads of 174H (IA32_SYSENTER_CS) exit
  PUTS32 "msr-bitmap "
  mov edi, MSRBMP
.bmp:
  mov dword [edi], 0
  add edi, 4
  cmp edi, MSRBMP + 0x1000
  jne .bmp
  or byte [MSRBMP + (0x174 >> 3)], 1 << (0x174 & 7)
  VMR PROC
  or eax, 1 << 28
  mov ebx, eax
  mov eax, PROC
  vmwrite eax, ebx
  VMW 0x2004, MSRBMP
  VMW 0x2005, 0
  mov ecx, 5                  ; past the faulting MOV
  call resume_skip
  call print_exit             ; RDMSR 174H (175H before it did not exit)
  call putnl32

  ; CR0 guest/host mask TS, shadow TS = 0, the guest's CR0.TS = 1: MOV from
  ; CR0 reads the shadow, CLTS changes nothing, MOV to CR0 with TS set exits
  PUTS32 "cr0-mask "
  mov dword [MSRLIST + 0x20], 0x174   ; the exit MSR-store list: IA32_SYSENTER_CS
  mov dword [MSRLIST + 0x24], 0
  mov dword [MSRLIST + 0x28], 0xffffffff
  VMW 0x2006, MSRLIST + 0x20
  VMW 0x400e, 1
  VMW 0x6000, 8
  VMW 0x6004, 0
  VMR G_CR0
  or eax, 8
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx
  call resume_next
  call print_exit             ; MOV CR0, EAX
  PUTS32 " sysenter_cs"       ; WRMSR 174H did not exit: the guest's value, saved at the exit
  VMR 0x482a
  call sys_hex32_32
  PUTS32 " seen"
  mov eax, [SCRATCH + 0x100]
  and eax, 8
  call sys_hex32_32
  PUTS32 " cr0.ts"
  VMR G_CR0
  and eax, 8
  call sys_hex32_32
  PUTS32 " stored"
  mov eax, [MSRLIST + 0x28]
  call sys_hex32_32
  call putnl32
  VMW 0x400e, 0
  VMW 0x6000, 0
  VMR G_CR0
  and eax, ~8
  mov ebx, eax
  mov eax, G_CR0
  vmwrite eax, ebx

  ; NMI exiting: the guest sends itself an NMI through the local APIC's ICR
  PUTS32 "nmi "
  VMW PIN, 0x16 | 8
  call resume_next
  call print_exit
  call putnl32

  ; external-interrupt exiting with "acknowledge interrupt on exit": PIT
  ; channel 0 -> 8259A IR0 (vector 20H) -> LINT0 (ExtINT) while the guest
  ; spins with IF = 0
  PUTS32 "extint "
  mov dword [LAPIC + 0xf0], 0x1ff
  mov dword [LAPIC + 0x350], 0x700
  PIC_INIT_AT 0x20, 0x28
  mov al, 0xfe
  out 0x21, al
  mov al, 0xff
  out 0xa1, al
  mov al, 0x30                ; channel 0, lobyte/hibyte, mode 0
  out 0x43, al
  mov al, 0x00
  out 0x40, al
  mov al, 0x01
  out 0x40, al
  VMW PIN, 0x16 | 1
  VMW EXITC, 0x00036dff | (1 << 15)
  call resume_len
  call print_exit
  mov al, 0x20                ; EOI, and IR0 masked again
  out 0x20, al
  mov al, 0xff
  out 0x21, al
  call putnl32

  ; interrupt-window exiting: the guest has IF = 1 and no blocking, so the
  ; exit comes before its first instruction
  PUTS32 "intwin "
  VMW PIN, 0x16
  VMR PROC
  or eax, 1 << 2
  mov ebx, eax
  mov eax, PROC
  vmwrite eax, ebx
  VMW 0x6820, 0x202
  call resume_len
  call print_exit
  call putnl32
  call set_proc
  VMW 0x6820, 0x2

  ; INVLPG, MOV DR, RDPMC exiting; the I/O bitmaps (only port 71H's bit set:
  ; unconditional I/O exiting is then ignored); TSC offsetting 10_00000000H
  ; without RDTSC exiting; a JMP to a TSS (task switches always exit)
  VMW PROC, 0x0401e172 | (1 << 3) | (1 << 7) | (1 << 9) | (1 << 11) | (1 << 23) | (1 << 24) | (1 << 25)
  mov edi, IOBMP
.iob:
  mov dword [edi], 0
  add edi, 4
  cmp edi, IOBMP + 0x2000
  jne .iob
  or byte [IOBMP + (0x71 >> 3)], 1 << (0x71 & 7)
  VMW 0x2000, IOBMP
  VMW 0x2002, IOBMP + 0x1000
  VMW 0x2010, 0
  VMW 0x2011, 0x10
  mov dword [GDT_A + 0x30], ((TSS2 & 0xffff) << 16) | 0x67   ; an available 32-bit TSS
  mov dword [GDT_A + 0x34], 0x00008900
  VMW 0x4810, 0x37
  VMW G_RIP, guest_more + ROMB
  PUTS32 "invlpg "
  call resume_len
  call print_exit
  call putnl32
  PUTS32 "mov-dr "
  call resume_next
  call print_exit
  call putnl32
  PUTS32 "rdpmc "
  call resume_next
  call print_exit
  call putnl32
  PUTS32 "io-bitmap "
  call resume_next
  call print_exit
  call putnl32
  PUTS32 "tsc-offset "
  call resume_next
  call print_exit             ; the VMCALL after RDTSC
  rdtsc
  mov eax, [SCRATCH + 0x104]
  sub eax, edx
  call sys_hex32_32           ; the guest's TSC high half minus the host's
  call putnl32
  PUTS32 "task-switch "
  call resume_next
  call print_exit
  call putnl32
  PUTS32 "int3 "              ; a software exception in the bitmap: type 6, with its length
  VMW EXCBMP, 1 << 3
  call resume_next
  call print_exit
  VMR XLEN
  call sys_hex32_32
  call putnl32

  ; PAUSE and MWAIT exiting (MONITOR runs: it arms the monitor, so the MWAIT
  ; exit's qualification is 1), then MONITOR exiting too
  VMW PROC, 0x0401e172 | (1 << 3) | (1 << 7) | (1 << 9) | (1 << 11) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 10) | (1 << 30)
  PUTS32 "pause "
  call resume_next
  call print_exit
  call putnl32
  PUTS32 "mwait "
  call resume_next
  call print_exit
  call putnl32
  VMW PROC, 0x0401e172 | (1 << 3) | (1 << 7) | (1 << 9) | (1 << 11) | (1 << 23) | (1 << 24) | (1 << 25) | (1 << 10) | (1 << 29) | (1 << 30)
  PUTS32 "monitor "
  call resume_next
  call print_exit
  call putnl32

  ; --- blocking by STI and by MOV SS (SDM vol. 3 table 24-3): saved by VM
  ; exits while the instruction in the shadow runs (§27.3.4), loaded by VM entry
  ; (§26.6.1) ---
  VMW EXCBMP, 0
  PROC_BASE 0
  VMW G_RIP, guest_ctl + ROMB
  VMW 0x6820, 0x2
  PUTS32 "sti-blocking "
  call resume_len
  call print_exit
  call print_ib
  call putnl32
  PUTS32 "movss-blocking "
  call resume_next
  call print_exit
  call print_ib
  call putnl32
  PUTS32 "no-blocking "
  call resume_next
  call print_exit
  call print_ib
  call putnl32
  ; interrupt-window exiting with IF = 1 and the blocking loaded: the exit
  ; comes after the guest's first instruction, not before it
  PROC_BASE 1 << 2
  VMW 0x6820, 0x202
  PUTS32 "intwin-sti "
  VMW G_RIP, guest_nop + ROMB
  VMW 0x4824, 1
  call resume_len
  call print_exit
  call print_ib
  call putnl32
  PUTS32 "intwin-movss "
  VMW G_RIP, guest_nop + ROMB
  VMW 0x4824, 2
  call resume_len
  call print_exit
  call print_ib
  call putnl32
  PROC_BASE 0
  ; the guest-state checks on them (§26.3.1.5)
  PUTS32 "entry-sti-if0"
  VMW 0x6820, 0x2
  VMW 0x4824, 1
  ENTRY_FAILS
  PUTS32 "entry-sti-movss"
  VMW 0x6820, 0x202
  VMW 0x4824, 3
  ENTRY_FAILS
  PUTS32 "entry-sti-hlt"
  VMW 0x4824, 1
  VMW 0x4826, 1
  ENTRY_FAILS
  VMW 0x4826, 0
  PUTS32 "entry-sti-extint"
  VMW INTRINFO, 0x80000030
  ENTRY_FAILS
  VMW INTRINFO, 0
  VMW 0x4824, 0
  VMW 0x6820, 0x2
  ; VMRESUME in the shadow of MOV SS: VMfailValid(26)
  PUTS32 "entry-movss"
  NEXT_EXIT unexpected_exit
  mov eax, ss
  mov ss, eax
  vmresume
  FL
  ERR
  call putnl32

  ; --- the control checks of the new controls (§26.2.1.1, §26.2.1.2) ---
  PUTS32 "entry-vnmi-only"
  VMW PIN, 0x16 | 0x20
  ENTRY_VMFAIL
  PUTS32 "entry-nmiwin-only"
  VMW PIN, 0x16 | 0x08
  PROC_BASE 1 << 22
  ENTRY_VMFAIL
  PROC_BASE 0
  PUTS32 "entry-save-timer-only"
  VMW PIN, 0x16
  VMW EXITC, 0x00036dff | (1 << 15) | (1 << 22)
  ENTRY_VMFAIL
  VMW EXITC, 0x00036dff | (1 << 15)

  ; --- TPR shadow: VTPR (byte 80H of the virtual-APIC page) 20H ---
  mov dword [VAPIC + 0x80], 0x20
  PROC_BASE 1 << 21
  VMW 0x2012, VAPIC + 0x10
  VMW 0x2013, 0
  VMW 0x401c, 0
  PUTS32 "tpr-misaligned"
  ENTRY_VMFAIL
  VMW 0x2012, VAPIC
  VMW 0x401c, 0x10
  PUTS32 "tpr-threshold-reserved"
  ENTRY_VMFAIL
  VMW 0x401c, 3
  PUTS32 "tpr-above-vtpr"
  ENTRY_VMFAIL
  VMW 0x401c, 2
  PUTS32 "tpr-ok "
  VMW G_RIP, guest_vnmi_target + ROMB
  call resume_len
  call print_exit
  call putnl32
  PROC_BASE 0

  ; --- virtual NMIs and NMI-window exiting ---
  VMW PIN, 0x16 | 0x08 | 0x20
  VMW 0x4824, 8
  VMW INTRINFO, 0x80000202
  PUTS32 "entry-vnmi-inject-blocked"
  ENTRY_FAILS
  VMW 0x4824, 0
  VMW INTRINFO, 0x80000202    ; an NMI (type 2, vector 2) through the guest's IDT
  PUTS32 "vnmi-inject "
  mov dword [RES32], guest_vnmi_target + ROMB  ; pm_common (in the guest) goes on there
  mov dword [VEC32], 0xffffffff
  VMW G_RIP, guest_nop + ROMB
  call resume_len
  call print_exit
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  call print_ib
  call putnl32
  ; the saved virtual-NMI blocking is loaded back; the guest's IRET ends it
  PUTS32 "nmi-window-iret "
  PROC_BASE 1 << 22
  VMW G_RIP, guest_vnmi + ROMB
  VMW 0x681c, GSTACK
  call resume_len
  call print_exit
  call print_ib
  call putnl32
  PUTS32 "nmi-window-open "
  call resume_len
  call print_exit
  call putnl32
  PUTS32 "nmi-window-movss "   ; blocking by MOV SS holds the exit off the first instruction
  VMW G_RIP, guest_nop + ROMB
  VMW 0x4824, 2
  call resume_len
  call print_exit
  call putnl32

  ; --- the VMX-preemption timer ---
  PUTS32 "timer-nmiwin "      ; value 0 with the NMI window open: the timer first
  VMW PIN, 0x16 | 0x08 | 0x20 | 0x40
  VMW EXITC, 0x00036dff | (1 << 15) | (1 << 22)
  VMW 0x482e, 0
  call resume_len
  call print_exit
  call print_timer
  call putnl32
  PROC_BASE 0
  PUTS32 "timer-inject"       ; value 0 and INT 31H injected: the exit comes at the handler
  VMW PIN, 0x16 | 0x40
  VMW INTRINFO, 0x80000431
  VMW ENTRYLEN, 2
  mov dword [VEC32], 0xffffffff
  NEXT_EXIT .t_inject
  vmresume
  PUTS32 " no exit"
.t_inject:
  call print_exit_short
  PUTS32 " at-handler"
  VMR G_RIP
  movzx ebx, word [IDT_A + 0x31 * 8]
  mov edx, [IDT_A + 0x31 * 8 + 4]
  and edx, 0xffff0000
  or ebx, edx
  sub eax, ebx
  call sys_hex32_32
  PUTS32 " vec"
  mov eax, [VEC32]
  call sys_hex32_32
  PUTS32 " vectoring"
  VMR 0x4408
  call sys_hex32_32
  call putnl32
  PUTS32 "timer-save "        ; 1000, and a VMCALL at once
  VMW 0x482e, 1000
  VMW G_RIP, guest_vnmi_target + ROMB
  VMW 0x681c, GSTACK
  call resume_len
  call print_exit
  VMR 0x482e
  mov [SCRATCH + 0x310], eax
  PUTS32 " value"
  cmp eax, 1000
  ja .t_save_bad
  cmp eax, 999
  jb .t_save_bad
  PUTS32 " 999-1000"
  jmp .t_save_done
.t_save_bad:
  call sys_hex32_32
.t_save_done:
  call putnl32
  PUTS32 "timer-expire"       ; counting on from the saved value, in a loop
  VMW G_RIP, guest_spin + ROMB
  NEXT_EXIT .t_expire
  xor ecx, ecx
  vmresume
  PUTS32 " no exit"
.t_expire:
  mov [SCRATCH + 0x314], ecx  ; the guest's INCs (VMX keeps no GPRs)
  call print_exit_short
  call print_timer
  PUTS32 " spins"
  mov eax, [SCRATCH + 0x310]
  shl eax, 4
  cmp [SCRATCH + 0x314], eax
  ja .t_expire_bad
  sub eax, 16
  cmp [SCRATCH + 0x314], eax
  jb .t_expire_bad
  PUTS32 " in-range"
  jmp .t_expire_done
.t_expire_bad:
  mov eax, [SCRATCH + 0x314]
  call sys_hex32_32
.t_expire_done:
  call putnl32
  PUTS32 "timer-wrmsr"         ; 1000, and the guest writes the TSC 2^32 ahead first
  PROC_BASE (1 << 28)          ; MSR bitmaps (all clear but 174H reads): WRMSR 10H does not exit
  VMW 0x482e, 1000
  VMW G_RIP, guest_tscjump + ROMB
  NEXT_EXIT .t_wrmsr
  vmresume
  PUTS32 " no exit"
.t_wrmsr:
  mov [SCRATCH + 0x314], ecx
  call print_exit_short
  call print_timer
  PUTS32 " spins"
  mov eax, [SCRATCH + 0x314]
  cmp eax, 1000 * 16
  ja .t_wrmsr_bad
  cmp eax, 1000 * 16 - 20
  jb .t_wrmsr_bad
  PUTS32 " in-range"
  jmp .t_wrmsr_done
.t_wrmsr_bad:
  call sys_hex32_32
.t_wrmsr_done:
  call putnl32
  PUTS32 "timer-hlt "         ; 100, the guest halts with IF = 0 (no HLT exiting)
  VMW PROC, 0x0401e172 | (1 << 24)
  VMW 0x482e, 100
  VMW G_RIP, guest_halt + ROMB
  VMW 0x6820, 0x2
  NEXT_EXIT .t_hlt
  rdtsc
  mov [SCRATCH + 0x318], eax
  vmresume
  PUTS32 " no exit"
.t_hlt:
  rdtsc
  sub eax, [SCRATCH + 0x318]
  mov [SCRATCH + 0x318], eax
  call print_exit
  PUTS32 " activity"
  VMR 0x4826
  call sys_hex32_32
  call print_timer
  PUTS32 " tsc"
  mov eax, [SCRATCH + 0x318]
  cmp eax, 99 * 32
  jb .t_hlt_bad
  cmp eax, 100 * 32 + 100
  ja .t_hlt_bad
  PUTS32 " in-range"
  jmp .t_hlt_done
.t_hlt_bad:
  call sys_hex32_32
.t_hlt_done:
  call putnl32
  VMW EXITC, 0x00036dff | (1 << 15)
  VMW 0x4826, 0
  ; NMI exiting without virtual NMIs: blocking by NMI, loaded, survives the
  ; guest's IRET
  PUTS32 "nmi-exiting-iret "
  VMW PIN, 0x16 | 0x08
  PROC_BASE 0
  VMW 0x4824, 8
  VMW G_RIP, guest_vnmi + ROMB
  VMW 0x681c, GSTACK
  call resume_len
  call print_exit
  call print_ib
  call putnl32
  VMW PIN, 0x16
  VMW 0x4824, 0

  ; triple fault in the guest: IDT limit 0, exceptions not in the bitmap
  PUTS32 "triple "
  VMW EXCBMP, 0
  VMW 0x4812, 0
  VMW G_RIP, guest_ud + ROMB
  NEXT_EXIT .tf
  vmresume
.tf:
  call print_exit
  call putnl32

  PUTS32 "vmxoff"
  vmxoff
  FL
  PUTS32 " vmread"
  TRY32
  VMR ERRNO
  ENDTRY32
  call putnl32
  PUTS32 "done"
  call putnl32
  EXIT 0

; --- the guest (VMX non-root, ring 0) ---
guest_code:
%ifdef LOOP
  ; -DLOOP=N (with -DBENCH): N passes of a 5-instruction loop before the first
  ; exit, in non-root operation; -DHOSTLOOP=N runs the same in root operation
  ; before VMXON (tools/bench/vmexit.mjs compares them).
  mov ecx, LOOP
.loop:
  add eax, ecx
  xor ebx, eax
  lea edx, [eax+ebx*2]
  dec ecx
  jnz .loop
%endif
  cpuid                       ; +0, 2 bytes
  mov al, 0x41                ; +2
  out 0x80, al                ; +4, 2 bytes
  mov dx, 0x1234              ; +6 (66 BA imm16: 4 bytes)
  out dx, al                  ; +10, 1 byte
  mov dx, 0x60                ; +11
  in eax, dx                  ; +15, 1 byte
  rdtsc                       ; +16, 2 bytes
  hlt                         ; +18, 1 byte
  invd                        ; +19, 2 bytes
  mov eax, cr3                ; +21, 3 bytes
  mov cr3, eax                ; +24, 3 bytes
  mov ebx, 0x10               ; +27 (5 bytes)
  mov esi, 0x100              ; +32 (5 bytes)
  vmread [ebx + esi * 4 + 0x10], eax   ; +37, 5 bytes
  ud2                         ; +42
  mov ax, 0x1238              ; +44 (4 bytes)
  mov ds, ax                  ; +48, 2 bytes: #GP(1238H)
  vmcall                      ; +50, 3 bytes
  vmcall                      ; +53: the injection test resumes here
guest_injected:
  vmcall                      ; +56
guest_ud:
  ud2                         ; +59
guest_pf:
  mov eax, [0x00800000]       ; +61 (A1 moffs32: 5 bytes): not present
guest_pf_handled:
  vmcall                      ; +66
  mov eax, [0x00800000]       ; +69: #PF, a VM exit this time
  mov ecx, 0x175              ; +74
  rdmsr                       ; +79
  mov ecx, 0x174              ; +81
  rdmsr                       ; +86: exit
  mov eax, 0x60               ; +88
  mov ecx, 0x174              ; +93 (the host's ECX is the guest's: VMX keeps no GPRs)
  xor edx, edx                ; +98
  wrmsr                       ; +100: no exit (its write bit is clear)
  mov eax, cr0                ; +102
  mov [SCRATCH + 0x100], eax  ; +105 (A3 moffs32: 5 bytes)
  clts                        ; +110
  or eax, 8                   ; +112 (83 C8 08)
  mov cr0, eax                ; +115: exit
  mov dword [LAPIC + 0x300], 0x00044400 ; +118 (C7 05 disp32 imm32): NMI, self
  jmp $                       ; +128
guest_more:
  invlpg [0x1234]             ; +130 (0F 01 3D disp32: 7 bytes)
  mov eax, dr7                ; +137 (0F 21 F8)
  xor ecx, ecx                ; +140
  rdpmc                       ; +142
  mov al, 0                   ; +144
  out 0x70, al                ; +146: its bitmap bit is clear
  out 0x71, al                ; +148
  rdtsc                       ; +150
  mov [SCRATCH + 0x104], edx  ; +152 (89 15 disp32: 6 bytes)
  vmcall                      ; +158
  jmp 0x30:0                  ; +161 (EA ptr16:32: 7 bytes)
  int3                        ; +168
  pause                       ; +169 (F3 90)
  xor ecx, ecx                ; +171
  mov eax, SCRATCH            ; +173
  monitor                     ; +178 (0F 01 C8): no exit yet
  mwait                       ; +181 (0F 01 C9)
  monitor                     ; +184
guest_ctl:
  sti                         ; +187 (FB), with IF = 0
  cpuid                       ; +188: blocking by STI
  mov eax, ss                 ; +190 (8C D0)
  mov ss, eax                 ; +192 (8E D0)
  cpuid                       ; +194: blocking by MOV SS
  nop                         ; +196
  cpuid                       ; +197: no blocking
guest_nop:
  nop                         ; +199
  vmcall                      ; +200
guest_vnmi:
  pushfd                      ; +203
  push cs                     ; +204
  push dword guest_vnmi_target + ROMB  ; +205 (68 imm32)
  iretd                       ; +210
guest_vnmi_target:
  vmcall                      ; +211
guest_spin:
  inc ecx                     ; +214
  jmp guest_spin              ; +215 (EB FD)
guest_halt:
  hlt                         ; +217
  vmcall                      ; +218
guest_tscjump:
  rdtsc                       ; +221
  add edx, 1                  ; +223: the TSC 2^32 ahead
  mov ecx, 0x10               ; +226: IA32_TIME_STAMP_COUNTER
  wrmsr                       ; +231: its write bit is clear, no exit
  xor ecx, ecx                ; +233
  jmp guest_spin              ; +235

ROM_END
