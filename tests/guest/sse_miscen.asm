; IA32_MISC_ENABLE's bits that change the CPU (SDM vol. 4 table 2-2) on -cpu
; coreduo (sse.test.ts): limit CPUID maxval (22), XD bit disable (34), ENABLE
; MONITOR FSM (18); a reserved bit is #GP. Written for this project.
%include "lib/rom.inc"
%include "datamov_lib.inc"
cpu prescott

%include "lib/try16.inc"

main:
  TRY_START
  mov ecx, 0x1a0
  rdmsr
  mov esi, eax
  or eax, 1 << 22                ; limit CPUID maxval
  wrmsr
  xor eax, eax
  cpuid
  PUTS "limit "
  H32 eax
  mov eax, esi
  xor edx, edx
  mov ecx, 0x1a0
  wrmsr
  xor eax, eax
  cpuid
  H32 eax
  PUTS "xd "
  mov ecx, 0x1a0
  mov eax, esi
  mov edx, 1 << 2                ; bit 34: XD disable
  wrmsr
  mov eax, 0x80000001
  cpuid
  H32 edx
  mov ecx, 0xc0000080
  mov eax, 1 << 11
  xor edx, edx
  TRY "nxe", wrmsr
  mov ecx, 0x1a0
  mov eax, esi
  xor edx, edx
  wrmsr
  mov ecx, 0xc0000080
  mov eax, 1 << 11
  TRY "nxe", wrmsr
  xor eax, eax
  wrmsr
  PUTS "monitor "
  mov ecx, 0x1a0
  mov eax, esi
  and eax, ~(1 << 18)
  xor edx, edx
  wrmsr
  mov eax, 1
  cpuid
  H32 ecx
  xor eax, eax
  xor ecx, ecx
  TRY "monitor", monitor
  mov ecx, 0x1a0
  mov eax, esi
  xor edx, edx
  wrmsr
  xor ecx, ecx
  xor eax, eax
  TRY "monitor", monitor
  mov ecx, 0x1a0
  mov eax, esi
  or eax, 2                      ; bit 1: reserved
  xor edx, edx
  TRY "rsvd", wrmsr
  PUTS "end"
  EXIT 0
TRY_HANDLERS
ROM_END
