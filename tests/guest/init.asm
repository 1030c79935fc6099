; INIT through the local APIC's ICR (SDM vol. 3 §10.6.1) and the INIT reset it
; causes (§9.1, table 9-1; the APIC's own part §10.4.7.3), compared with
; qemu-system-i386 (init.test.ts lists where QEMU departs from the SDM).
;
; Memory survives INIT, so the program counts its starts in RAM. Every start
; first stores the registers exactly as the reset vector's far jump left them,
; then prints them, the MSRs and the local APIC's registers:
;   start 1 (power-on): sets state INIT must keep (x87 control word and stack,
;     MTRRs, IA32_SYSENTER_CS, CR0.CD/NW cleared, the APIC ID) and state it must
;     reset (protected mode, paging with CR4.PSE/PGE/DE, CR2, CR3, DR0/DR6/DR7,
;     EFLAGS, every GPR, the APIC's TPR, LDR, DFR, LVTs, a running timer, an
;     IRR bit), sends an "INIT level de-assert" (not an INIT) and then an INIT
;     to its own APIC ID, physical destination (table 10-4: valid);
;   start 2: an INIT through a logical destination (flat model);
;   start 3: an INIT with the shorthand "all including self" (table 10-4:
;     invalid, the APIC's behaviour undefined; QEMU delivers it to itself);
;   start 4: ends the test.
; INIT is taken at an instruction boundary after the ICR write; QEMU takes it at
; the end of a translation block, so the program spins (with a bound) and
; never prints where it hit.
%include "lib/rom.inc"
%include "lib/pm.inc"

%define LAPIC     0xfee00000
%define SAVE      0xa000            ; the registers at entry (real mode, DS = 0)
%define S_GPR     (SAVE + 0x00)     ; EAX ECX EDX EBX ESP EBP ESI EDI (8 dwords)
%define S_EFLAGS  (SAVE + 0x20)
%define S_CR0     (SAVE + 0x24)
%define S_CR2     (SAVE + 0x28)
%define S_CR3     (SAVE + 0x2c)
%define S_CR4     (SAVE + 0x30)
%define S_DR0     (SAVE + 0x34)     ; DR0-DR3
%define S_DR6     (SAVE + 0x44)
%define S_DR7     (SAVE + 0x48)
%define S_SEG     (SAVE + 0x50)     ; CS DS ES FS GS SS selectors (words)
%define S_GDTR    (SAVE + 0x60)     ; limit (word), base (dword)
%define S_IDTR    (SAVE + 0x68)
%define S_FCW     (SAVE + 0x70)
%define S_ENV     (SAVE + 0x74)     ; FNSTENV, 16-bit real-mode format (14 bytes)
%define S_TSC     (SAVE + 0x88)     ; TSC at this start (u64)
%define MARK      (SAVE + 0x100)    ; MAGIC once the program has started
%define STARTS    (SAVE + 0x104)    ; starts so far
%define TSC_INIT  (SAVE + 0x108)    ; TSC just before the last INIT (u64)
%define MAGIC     0x54494e49        ; "INIT"
%define PD        0x10000           ; page directory of start 1 (4-MiB pages)

%define MSR_APIC_BASE    0x1b
%define MSR_SYSENTER_CS  0x174
%define MSR_PHYSBASE0    0x200
%define MSR_PHYSMASK0    0x201
%define MSR_DEF_TYPE     0x2ff

; ICR low words (SDM vol. 3 figure 10-12): delivery mode INIT is 101b.
%define ICR_INIT_PHYS    0x00004500 ; edge, assert, physical, no shorthand
%define ICR_INIT_LOGICAL 0x00004d00 ; edge, assert, logical, no shorthand
%define ICR_INIT_ALL     0x00084500 ; edge, assert, shorthand "all including self"
%define ICR_INIT_OTHERS  0x000c4500 ; edge, assert, shorthand "all excluding self"
%define ICR_INIT_DEASSERT 0x000c8500 ; level trigger, level 0: INIT level de-assert
%define ICR_FIXED_SELF   0x00040060 ; fixed vector 60h to self

; SHOW "name", dword in RAM (real mode)
%macro SHOW 2
  PUTS %1
  mov eax, [%2]
  call puthex32
%endmacro
; RSHOW "name", MSR (real mode): EDX:EAX as two dwords
%macro RSHOW 2
  PUTS %1
  mov ecx, %2
  rdmsr
  xchg eax, edx
  call puthex32
  mov al, ':'
  call putc
  mov eax, edx
  call puthex32
%endmacro
; ASHOW "name", APIC register offset (32-bit code)
%macro ASHOW 2
  PPUTS %1
  mov eax, [LAPIC + %2]
  call phex32
%endmacro

main:
  ; The registers as RESET or INIT left them (the far jump at the reset vector
  ; changed only CS's cache); DS is 0 in both cases (table 9-1).
  mov [S_GPR + 0], eax
  mov [S_GPR + 4], ecx
  mov [S_GPR + 8], edx
  mov [S_GPR + 12], ebx
  mov [S_GPR + 16], esp
  mov [S_GPR + 20], ebp
  mov [S_GPR + 24], esi
  mov [S_GPR + 28], edi
  pushfd                               ; SS:SP = 0:0, so at 0:FFFCh
  pop dword [S_EFLAGS]
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov eax, cr0
  mov [S_CR0], eax
  mov eax, cr2
  mov [S_CR2], eax
  mov eax, cr3
  mov [S_CR3], eax
  mov eax, cr4
  mov [S_CR4], eax
  mov eax, dr0
  mov [S_DR0 + 0], eax
  mov eax, dr1
  mov [S_DR0 + 4], eax
  mov eax, dr2
  mov [S_DR0 + 8], eax
  mov eax, dr3
  mov [S_DR0 + 12], eax
  mov eax, dr6
  mov [S_DR6], eax
  mov eax, dr7
  mov [S_DR7], eax
  mov [S_SEG + 0], cs
  mov [S_SEG + 2], ds
  mov [S_SEG + 4], es
  mov [S_SEG + 6], fs
  mov [S_SEG + 8], gs
  mov [S_SEG + 10], ss
  o32 sgdt [S_GDTR]
  o32 sidt [S_IDTR]
  fnstcw [S_FCW]
  fnstenv [S_ENV]
  rdtsc
  mov [S_TSC], eax
  mov [S_TSC + 4], edx

  cmp dword [MARK], MAGIC
  je .counted
  mov dword [MARK], MAGIC
  mov dword [STARTS], 0
.counted:
  inc dword [STARTS]

  PUTS "start "
  mov al, [STARTS]
  call puthex8
  call putnl
  SHOW "eax=", S_GPR + 0
  SHOW " ecx=", S_GPR + 4
  SHOW " edx=", S_GPR + 8
  SHOW " ebx=", S_GPR + 12
  call putnl
  SHOW "esp=", S_GPR + 16
  SHOW " ebp=", S_GPR + 20
  SHOW " esi=", S_GPR + 24
  SHOW " edi=", S_GPR + 28
  call putnl
  SHOW "eflags=", S_EFLAGS
  PUTS " cs="
  mov ax, [S_SEG + 0]
  call puthex16
  PUTS " ds="
  mov ax, [S_SEG + 2]
  call puthex16
  PUTS " es="
  mov ax, [S_SEG + 4]
  call puthex16
  PUTS " fs="
  mov ax, [S_SEG + 6]
  call puthex16
  PUTS " gs="
  mov ax, [S_SEG + 8]
  call puthex16
  PUTS " ss="
  mov ax, [S_SEG + 10]
  call puthex16
  call putnl
  SHOW "cr0=", S_CR0
  call putnl
  SHOW "cr2=", S_CR2
  SHOW " cr3=", S_CR3
  SHOW " cr4=", S_CR4
  call putnl
  SHOW "dr0=", S_DR0
  SHOW " dr1=", S_DR0 + 4
  SHOW " dr2=", S_DR0 + 8
  SHOW " dr3=", S_DR0 + 12
  SHOW " dr6=", S_DR6
  SHOW " dr7=", S_DR7
  call putnl
  PUTS "gdtr="
  mov eax, [S_GDTR + 2]
  call puthex32
  mov al, '/'
  call putc
  mov ax, [S_GDTR]
  call puthex16
  PUTS " idtr="
  mov eax, [S_IDTR + 2]
  call puthex32
  mov al, '/'
  call putc
  mov ax, [S_IDTR]
  call puthex16
  call putnl
  PUTS "fcw="
  mov ax, [S_FCW]
  call puthex16
  PUTS " fsw="
  mov ax, [S_ENV + 2]
  call puthex16
  PUTS " ftw="
  mov ax, [S_ENV + 4]
  call puthex16
  call putnl
  RSHOW "apic_base=", MSR_APIC_BASE
  RSHOW " sysenter_cs=", MSR_SYSENTER_CS
  call putnl
  RSHOW "mtrr physbase0=", MSR_PHYSBASE0
  RSHOW " physmask0=", MSR_PHYSMASK0
  RSHOW " deftype=", MSR_DEF_TYPE
  call putnl
  cmp dword [STARTS], 1
  je .notsc
  ; RESET zeroes the TSC, INIT leaves it counting (table 9-1).
  PUTS "tsc kept="
  mov eax, [S_TSC + 4]
  cmp eax, [TSC_INIT + 4]
  jne .tschi
  mov eax, [S_TSC]
  cmp eax, [TSC_INIT]
.tschi:
  setae al
  call puthex8
  call putnl
.notsc:

  PM_ENTER
  ASHOW "apic id=", 0x20
  ASHOW " tpr=", 0x80
  ASHOW " ldr=", 0xd0
  ASHOW " dfr=", 0xe0
  ASHOW " svr=", 0xf0
  call pnl
  ASHOW "lvt timer=", 0x320
  ASHOW " lint0=", 0x350
  ASHOW " lint1=", 0x360
  ASHOW " error=", 0x370
  call pnl
  ASHOW "timer init=", 0x380
  ASHOW " current=", 0x390
  ASHOW " divide=", 0x3e0
  ASHOW " irr[60h]=", 0x230
  ASHOW " icr=", 0x300
  ASHOW ":", 0x310
  call pnl

  mov eax, [STARTS]
  cmp eax, 1
  je first
  cmp eax, 2
  je second
  cmp eax, 3
  je third
  EXIT 0

bits 32
first:
  ; None of these is an INIT to this CPU: "INIT level de-assert" (level trigger,
  ; level 0; table 10-4 note 3), an INIT to APIC ID 5 (physical), an INIT to
  ; "all excluding self".
  mov dword [LAPIC + 0x300], ICR_INIT_DEASSERT
  mov dword [LAPIC + 0x310], 0x05000000
  mov dword [LAPIC + 0x300], ICR_INIT_PHYS
  mov dword [LAPIC + 0x300], ICR_INIT_OTHERS
  mov ecx, 200000
.spin:
  dec ecx
  jnz .spin
  PPUTS "after de-assert, ID 5, all excluding self: still running"
  call pnl

  ; --- state INIT keeps
  fninit
  fldcw [cs:fcw_kept]
  fld1                                 ; TOP = 7, register 7 valid
  mov ecx, MSR_SYSENTER_CS
  mov eax, 0x0008
  xor edx, edx
  wrmsr
  mov ecx, MSR_PHYSBASE0
  mov eax, 0x00000006                  ; WB from 0
  xor edx, edx
  wrmsr
  mov ecx, MSR_PHYSMASK0
  mov eax, 0xffc00800                  ; 4 MiB, valid
  mov edx, 0x0000000f
  wrmsr
  mov ecx, MSR_DEF_TYPE
  mov eax, 0x00000c06                  ; MTRRs and fixed ranges enabled, default WB
  xor edx, edx
  wrmsr
  PPUTS "set: mtrr physbase0="
  mov ecx, MSR_PHYSBASE0
  rdmsr
  call phex32
  PPUTS " physmask0="
  mov ecx, MSR_PHYSMASK0
  rdmsr
  call phex32
  PPUTS " deftype="
  mov ecx, MSR_DEF_TYPE
  rdmsr
  call phex32
  call pnl

  ; --- local APIC state INIT resets (§10.4.7.3)
  mov dword [LAPIC + 0xf0], 0x1ff      ; software enabled, spurious vector FFh
  mov dword [LAPIC + 0x80], 0x20       ; TPR
  mov dword [LAPIC + 0xd0], 0x02000000 ; LDR
  mov dword [LAPIC + 0xe0], 0x0fffffff ; DFR: cluster model
  mov dword [LAPIC + 0x3e0], 0x0a      ; divide by 128
  mov dword [LAPIC + 0x320], 0x00020040 ; periodic, vector 40h, unmasked
  mov dword [LAPIC + 0x380], 0x40000000 ; a long period: running at the INIT
  mov dword [LAPIC + 0x350], 0x00000700 ; LINT0 ExtINT
  mov dword [LAPIC + 0x370], 0x00000051 ; error LVT vector 51h
  mov dword [LAPIC + 0x300], ICR_FIXED_SELF ; IRR bit 60h (IF = 0: stays pending)

  ; The APIC ID last: QEMU's self-IPIs go to the APIC of the ID it started with.
  mov dword [LAPIC + 0x20], 0x01000000 ; APIC ID 1
  PPUTS "set: apic id="
  mov eax, [LAPIC + 0x20]
  call phex32
  PPUTS " irr[60h]="
  mov eax, [LAPIC + 0x230]
  call phex32
  PPUTS " lvt timer="
  mov eax, [LAPIC + 0x320]
  call phex32
  PPUTS " timer running="
  cmp dword [LAPIC + 0x390], 0
  setne al
  call phex8
  call pnl

  ; --- CPU state INIT resets: paging with 4-MiB pages (identity 0-4 MiB, and
  ; the APIC's 4 MiB), CR4, CR2, debug registers
  mov edi, PD
  xor eax, eax
  mov ecx, 1024
  rep stosd
  mov dword [PD + 0], 0x00000083               ; 0-4 MiB: P, RW, PS
  mov dword [PD + (0xfec00000 >> 22) * 4], 0xfec00093 ; P, RW, PCD, PS
  mov eax, 0x98                                ; PSE, PGE, DE
  mov cr4, eax
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  and eax, 0x9fffffff                          ; CD = NW = 0 (INIT keeps them)
  or eax, 0x80010022                           ; PG, WP, NE, MP
  mov cr0, eax
  mov eax, 0xdeadb000
  mov cr2, eax
  mov eax, 0x00abc000
  mov dr0, eax
  mov eax, 0x00000003                          ; L0, G0: execute at DR0
  mov dr7, eax
  mov eax, 0x0000000f
  mov dr6, eax
  mov ax, SEL_DATA3
  mov fs, ax
  rdtsc
  mov [TSC_INIT], eax
  mov [TSC_INIT + 4], edx

  ; --- INIT to APIC ID 1, physical destination; EFLAGS and the GPRs last
  mov dword [LAPIC + 0x310], 0x01000000
  push dword 0x00247402                        ; ID AC NT IOPL=3 DF, IF = 0
  popfd
  mov eax, 0x11111111
  mov ecx, 0x22222222
  mov edx, 0x33333333
  mov ebx, 0x44444444
  mov ebp, 0x66666666
  mov esi, 0x77777777
  mov edi, 0x88888888
  mov esp, 0x55555555
  mov dword [LAPIC + 0x300], ICR_INIT_PHYS
  jmp no_init

second:
  ; INIT through a logical destination, flat model (DFR is all ones after INIT).
  mov dword [LAPIC + 0xf0], 0x1ff
  mov dword [LAPIC + 0xd0], 0x04000000
  mov dword [LAPIC + 0x310], 0x04000000
  rdtsc
  mov [TSC_INIT], eax
  mov [TSC_INIT + 4], edx
  mov dword [LAPIC + 0x300], ICR_INIT_LOGICAL
  jmp no_init

third:
  mov dword [LAPIC + 0xf0], 0x1ff
  rdtsc
  mov [TSC_INIT], eax
  mov [TSC_INIT + 4], edx
  mov dword [LAPIC + 0x300], ICR_INIT_ALL
  ; fall through

no_init:
  mov ecx, 3000000
.wait:
  dec ecx
  jnz .wait
  mov ax, SEL_DATA0
  mov ds, ax
  mov ss, ax
  mov esp, STACK0_TOP
  push dword 2
  popfd
  PPUTS "no INIT"
  call pnl
  mov dx, 0xf4
  mov al, 1
  out dx, al
  cli
  hlt

fcw_kept: dw 0x0f7f                    ; round toward zero, 64-bit precision, all masked

ROM_END
