; System instructions in real mode (CPL 0), compared with qemu -cpu pentium2:
; CR0 at reset, SMSW/LMSW/CLTS, MOV to/from CR2/CR3/CR4 and DR0-DR7 (fixed bits
; of DR6/DR7, DR4/DR5 aliases), the #UD faults of MOV CR/DR, INVLPG, UD2,
; RDMSR/WRMSR (SYSENTER, MTRR storage), RDTSC. What qemu does not model (general
; detect, #GP for unknown MSRs and for CR0.PG without PE) is in sys-rz.asm.
%include "lib/rom.inc"
%include "sys-lib.inc"

SCR equ 0x600

main:
  mov [ss:SCR+0x20], edx        ; EDX at reset: the CPUID signature
  REAL_START
  call setup_ivt

  PUTS "reset-edx"
  HEX32 [ss:SCR+0x20]
  mov eax, cr0
  PUTS " cr0"
  HEX32 eax
  call putnl

  ; SMSW: 16-bit register keeps the upper half; 32-bit register gets CR0;
  ; memory is always 16 bits (SDM vol. 2 SMSW)
  mov eax, 0x12345678
  smsw ax
  PUTS "smsw16"
  HEX32 eax
  mov eax, 0x12345678
  smsw eax
  PUTS " smsw32"
  HEX32 eax
  mov dword [SCR], 0xaaaaaaaa
  o32 smsw [SCR]
  PUTS " smsw-mem"
  HEX32 [SCR]
  call putnl

  ; LMSW loads MP EM TS; CLTS clears TS; LMSW 0 clears MP EM
  mov ax, 0xfffe
  lmsw ax
  mov eax, cr0
  PUTS "lmsw-e"
  HEX32 eax
  clts
  mov eax, cr0
  PUTS " clts"
  HEX32 eax
  mov word [SCR], 0
  lmsw [SCR]
  mov eax, cr0
  PUTS " lmsw0"
  HEX32 eax
  call putnl

  ; CR2, CR3, CR4 round trips
  mov eax, 0x12345678
  mov cr2, eax
  mov ebx, cr2
  PUTS "cr2"
  HEX32 ebx
  mov eax, 0x00123018
  mov cr3, eax
  mov ebx, cr3
  PUTS " cr3"
  HEX32 ebx
  mov eax, 0x19c               ; TSD DE PSE PGE PCE
  mov cr4, eax
  mov ebx, cr4
  PUTS " cr4"
  HEX32 ebx
  mov eax, 0
  mov cr4, eax
  mov ebx, cr4
  HEX32 ebx
  call putnl

  ; MOV CR with mod != 11: the mod bits are ignored, no displacement follows
  mov ebx, 0
  db 0x0f, 0x20, 0x03          ; mov ebx, cr0 (mod 00)
  PUTS "cr-mod00"
  HEX32 ebx
  db 0x0f, 0x20, 0x53          ; mov ebx, cr2 (mod 01)
  HEX32 ebx
  call putnl

  ; debug registers
  mov eax, 0x11111111
  mov dr0, eax
  mov eax, 0x22222222
  mov dr1, eax
  mov eax, 0x33333333
  mov dr2, eax
  mov eax, 0x44444444
  mov dr3, eax
  PUTS "dr0-3"
  mov eax, dr0
  HEX32 eax
  mov eax, dr1
  HEX32 eax
  mov eax, dr2
  HEX32 eax
  mov eax, dr3
  HEX32 eax
  call putnl
  mov eax, 0
  mov dr6, eax
  mov ebx, dr6
  PUTS "dr6"
  HEX32 ebx
  mov eax, 0x0000e00f
  mov dr6, eax
  mov ebx, dr6
  HEX32 ebx
  mov eax, 0
  mov dr7, eax
  mov ebx, dr7
  PUTS " dr7"
  HEX32 ebx
  mov eax, 0x100
  mov dr7, eax
  mov ebx, dr7
  HEX32 ebx
  call putnl
  ; DR4/DR5 are DR6/DR7 while CR4.DE = 0
  mov eax, 0
  mov dr6, eax
  mov dr7, eax
  mov ebx, dr4
  PUTS "dr4"
  HEX32 ebx
  mov eax, 0x200
  mov dr5, eax
  mov ebx, dr7
  PUTS " dr5->dr7"
  HEX32 ebx
  mov eax, 0
  mov dr7, eax
  call putnl

  ; faults
  PUTS "ud cr1"
  TRY
  db 0x0f, 0x20, 0xc8          ; mov eax, cr1
  ENDTRY
  PUTS " cr5"
  TRY
  db 0x0f, 0x22, 0xe8          ; mov cr5, eax
  ENDTRY
  call putnl
  PUTS "dr4-with-de"
  mov eax, 8                    ; CR4.DE
  mov cr4, eax
  TRY
  mov eax, dr4
  ENDTRY
  mov eax, 0
  mov cr4, eax
  call putnl
  PUTS "ud2"
  TRY
  ud2
  ENDTRY
  PUTS " invlpg-reg"
  TRY
  db 0x0f, 0x01, 0xf8
  ENDTRY
  PUTS " invlpg-mem"
  TRY
  invlpg [SCR]
  ENDTRY
  PUTS " wbinvd"
  TRY
  wbinvd
  ENDTRY
  call putnl

  ; MSRs
  mov ecx, 0x174
  mov eax, 0x00000008
  mov edx, 0
  wrmsr
  mov ecx, 0x175
  mov eax, 0x00008000
  wrmsr
  mov ecx, 0x176
  mov eax, 0xc0001234
  wrmsr
  PUTS "sysenter"
  mov ecx, 0x174
  rdmsr
  HEX32 eax
  mov ecx, 0x175
  rdmsr
  HEX32 eax
  mov ecx, 0x176
  rdmsr
  HEX32 eax
  call putnl
  mov ecx, 0xfe
  rdmsr
  PUTS "mtrrcap"
  HEX32 edx
  HEX32 eax
  mov ecx, 0x200
  mov edx, 0x0
  mov eax, 0x12345006
  wrmsr
  mov ecx, 0x201
  mov edx, 0xf
  mov eax, 0xfff00800
  wrmsr
  mov ecx, 0x2ff
  mov edx, 0
  mov eax, 0xc06
  wrmsr
  mov ecx, 0x200
  rdmsr
  PUTS " mtrr"
  HEX32 edx
  HEX32 eax
  mov ecx, 0x201
  rdmsr
  HEX32 edx
  HEX32 eax
  mov ecx, 0x2ff
  rdmsr
  HEX32 eax
  call putnl
  ; TSC: counts up; WRMSR writes it
  rdtsc
  mov ebx, eax
  mov esi, edx
  rdtsc
  sub eax, ebx
  sbb edx, esi
  PUTS "tsc-advances"
  cmp edx, 0
  jne .tscbad
  cmp eax, 0
  je .tscbad
  PUTS " yes"
  jmp .tsc2
.tscbad:
  PUTS " no"
.tsc2:
  mov ecx, 0x10
  mov edx, 0
  mov eax, 0x100000
  wrmsr
  rdtsc
  PUTS " tsc-after-wrmsr-hi"
  HEX32 edx
  call putnl
  PUTS "done"
  call putnl
  EXIT 0
ROM_END
