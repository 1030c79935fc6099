; The CPU identity of the -cpu models (sse.test.ts): CPUID leaves 0-7 and
; 80000000H-80000008H, and IA32_MISC_ENABLE (or its #GP). Written for this project.
%include "lib/rom.inc"
%include "datamov_lib.inc"

main:
  xor eax, eax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
  mov word [13*4], gp_handler
  mov word [13*4+2], 0xf000
  xor esi, esi
.b:
  call line
  inc esi
  cmp esi, 8
  jb .b
  mov esi, 0x80000000
.e:
  call line
  inc esi
  cmp esi, 0x80000009
  jb .e
  PUTS "misc: "
  mov ecx, 0x1a0
  rdmsr
  H32 edx
  H32 eax
.after:
  NL
  PUTS "end"
  NL
  EXIT 0
line:
  mov eax, esi
  xor ecx, ecx
  cpuid
  H32 esi
  H32 eax
  H32 ebx
  H32 ecx
  H32 edx
  NL
  ret
gp_handler:
  PUTS "GP"
  add sp, 6
  jmp main.after
ROM_END
