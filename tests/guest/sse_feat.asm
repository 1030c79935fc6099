; Which SSE generations a -cpu model has (sse.test.ts): one instruction of each
; (and the fences, CLFLUSH, MONITOR), printing ":UD" where it is absent.
; CR4.OSFXSR is set first. Written for this project.
%include "lib/rom.inc"
cpu prescott

%include "lib/try16.inc"

main:
  TRY_START
  mov ax, 0x1000
  mov ds, ax
  mov eax, cr4
  or eax, 0x200
  TRY "osfxsr", mov cr4, eax
  or eax, 0x400
  TRY "osxmmexcpt", mov cr4, eax
  TRY "movaps", movaps xmm0, xmm1
  TRY "ldmxcsr", ldmxcsr [0x100]
  TRY "pavgb-mm", pavgb mm0, mm1
  TRY "pshufw", pshufw mm0, mm1, 1
  TRY "sfence", sfence
  TRY "movapd", movapd xmm0, xmm1
  TRY "paddq-mm", paddq mm0, mm1
  TRY "paddb-xmm", paddb xmm0, xmm1
  TRY "lfence", lfence
  TRY "mfence", mfence
  TRY "clflush", clflush [0]
  TRY "movddup", movddup xmm0, xmm1
  TRY "lddqu", lddqu xmm0, [0]
  xor ecx, ecx
  xor eax, eax
  TRY "monitor", monitor
  PUTS "end"
  EXIT 0
TRY_HANDLERS
ROM_END
