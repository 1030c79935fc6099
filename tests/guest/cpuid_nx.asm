; Which CPU features the command line gave the machine (-cpu pentium2[,+nx][,-pae]):
; CPUID leaf 1 EDX bit 6 (PAE) and, when leaf 80000000H reports the extended
; leaves, 80000001H EDX bit 20 (NX) (SDM vol. 2 CPUID). Prints "pae nx", "pae",
; "nx" or "none".
%include "lib/rom.inc"

main:
  mov eax, 1
  cpuid
  test edx, 1 << 6
  jz .nopae
  PUTS "pae "
.nopae:
  mov eax, 0x80000000
  cpuid
  cmp eax, 0x80000001
  jb .nonx
  mov eax, 0x80000001
  cpuid
  test edx, 1 << 20
  jz .nonx
  PUTS "nx "
.nonx:
  PUTS "end"
  EXIT 0
ROM_END
