; System-instruction behaviour that qemu -cpu pentium2 does not model or models
; differently; checked against the SDM by sys.test.ts, not against qemu:
; CPUID leaves 0, 1, 2 and out-of-range leaves, #GP for CR0.PG without PE and
; NW without CD, #GP for CR4 bits RingZero does not implement, DR7.GD, #GP for
; unknown and read-only MSRs, RDPMC, and the deterministic TSC.
%include "lib/rom.inc"
%include "sys-lib.inc"

main:
  REAL_START
  call setup_ivt

%macro CPUID_LEAF 1
  mov eax, %1
  mov ebx, 0x55555555
  mov ecx, 0x55555555
  mov edx, 0x55555555
  cpuid
  PUTS "cpuid"
  HEX32 %1
  PUTS ":"
  HEX32 eax
  HEX32 ebx
  HEX32 ecx
  HEX32 edx
  call putnl
%endmacro
  CPUID_LEAF 0
  CPUID_LEAF 1
  CPUID_LEAF 2
  CPUID_LEAF 3
  CPUID_LEAF 0x80000000

  PUTS "cr0-pg-no-pe"
  TRY
  mov eax, 0x80000010
  mov cr0, eax
  ENDTRY
  PUTS " cr0-nw-no-cd"
  TRY
  mov eax, 0x20000010
  mov cr0, eax
  ENDTRY
  mov eax, cr0
  HEX32 eax
  call putnl
  PUTS "cr4-vme"
  TRY
  mov eax, 1
  mov cr4, eax
  ENDTRY
  PUTS " pae"
  TRY
  mov eax, 0x20
  mov cr4, eax
  ENDTRY
  PUTS " mce"
  TRY
  mov eax, 0x40
  mov cr4, eax
  ENDTRY
  PUTS " osfxsr"
  TRY
  mov eax, 0x200
  mov cr4, eax
  ENDTRY
  mov eax, cr4
  HEX32 eax
  call putnl

  ; DR7.GD: the next debug-register access is a #DB fault with DR6.BD; GD clears
  mov eax, 0
  mov dr6, eax
  mov eax, 0x2000
  mov dr7, eax
  PUTS "gd"
  TRY
  gd_insn: mov eax, dr0
  ENDTRY
  mov eax, dr6
  HEX32 eax
  mov eax, dr7
  HEX32 eax
  call putnl

  PUTS "rdmsr-unknown"
  TRY
  mov ecx, 0x12345
  rdmsr
  ENDTRY
  PUTS " wrmsr-mtrrcap"
  TRY
  mov ecx, 0xfe
  wrmsr
  ENDTRY
  PUTS " rdmsr-mtrr-hole"
  TRY
  mov ecx, 0x210
  rdmsr
  ENDTRY
  PUTS " platform-id"
  TRY
  mov ecx, 0x17
  rdmsr
  ENDTRY
  HEX32 edx
  HEX32 eax
  call putnl
  PUTS "rdpmc0"
  TRY
  mov ecx, 0
  mov eax, 0x5555
  mov edx, 0x5555
  rdpmc
  ENDTRY
  HEX32 edx
  HEX32 eax
  PUTS " rdpmc2"
  TRY
  mov ecx, 2
  rdpmc
  ENDTRY
  call putnl

  ; one tick per instruction: RDTSC right after WRMSR TSC reads the value + 1
  mov ecx, 0x10
  mov edx, 0x12345678          ; the high half is written too (as QEMU and later models)
  mov eax, 0x1000
  wrmsr
  rdtsc
  PUTS "tsc"
  HEX32 edx
  HEX32 eax
  mov edx, 0xfedcba98          ; the next tick carries into the high half
  mov eax, 0xffffffff
  wrmsr
  rdmsr
  PUTS " rdmsr"
  HEX32 edx
  HEX32 eax
  call putnl
  PUTS "done"
  call putnl
  EXIT 0
ROM_END
