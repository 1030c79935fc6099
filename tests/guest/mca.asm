; The machine-check MSRs and CR4.MCE (SDM vol. 3 ch. 15, vol. 4 table 2-2), in
; real mode at CPL 0 (mca.test.ts). First what QEMU does alike (compared with
; qemu -cpu coreduo and pentium2): CPUID's MCE and MCA, the registers after
; reset, IA32_MCG_CTL and IA32_MCi_CTL taking all 1s or all 0s and ignoring
; other values, clearing a status register, IA32_MCG_STATUS.MCIP, CR4.MCE.
; Then, after "sdm", what the SDM gives and QEMU's TCG does not: #GP(0) for
; writing 1s to a bank's STATUS, ADDR or MISC, for reserved IA32_MCG_STATUS
; bits, for writing IA32_MCG_CAP, and for an MSR past the last bank.
; Written for this project.
%include "lib/rom.inc"
%include "datamov_lib.inc"
cpu prescott

%include "lib/try16.inc"
; RD msr: RDMSR, printing EDX EAX (or :GP).
%macro RD 1
  mov ecx, %1
  mov eax, 0xdeadbeef
  mov edx, eax
  TRY "", rdmsr
  H32 edx
  H32 eax
%endmacro
; WR msr, edx, eax: WRMSR (":GP" if it faults).
%macro WR 3
  mov ecx, %1
  mov edx, %2
  mov eax, %3
  TRY "w", wrmsr
%endmacro

main:
  TRY_START

  PUTS "cpuid "
  mov eax, 1
  cpuid
  and edx, (1 << 7) | (1 << 14)      ; MCE, MCA
  H32 edx
  NL
  PUTS "cap "
  RD 0x179
  NL
  PUTS "status "
  RD 0x17a
  NL
  PUTS "ctl "
  RD 0x17b
  NL
  ; Each bank after reset: CTL, then STATUS, ADDR and MISC.
  mov ebx, 0x400
.bank:
  RD ebx
  inc ebx
  RD ebx
  inc ebx
  RD ebx
  inc ebx
  RD ebx
  inc ebx
  NL
  cmp ebx, 0x428
  jb .bank

  PUTS "mcg-ctl "
  WR 0x17b, 0, 0
  RD 0x17b
  WR 0x17b, 0, 0x12345678          ; neither all 0s nor all 1s: ignored
  RD 0x17b
  WR 0x17b, -1, -1
  RD 0x17b
  NL
  PUTS "mc3-ctl "
  WR 0x40c, 0, 0
  RD 0x40c
  WR 0x40c, 0, 5                   ; ignored
  RD 0x40c
  RD 0x408                         ; MC2_CTL unchanged
  WR 0x40c, -1, -1
  RD 0x40c
  WR 0x40c, -1, 0                  ; ignored
  RD 0x40c
  NL
  PUTS "clear "
  WR 0x401, 0, 0                   ; MC0_STATUS
  WR 0x426, 0, 0                   ; MC9_ADDR
  WR 0x427, 0, 0                   ; MC9_MISC
  RD 0x401
  NL
  PUTS "mcip "
  WR 0x17a, 0, 4
  RD 0x17a
  WR 0x17a, 0, 7
  RD 0x17a
  WR 0x17a, 0, 0
  RD 0x17a
  NL
  PUTS "cr4 "
  mov eax, cr4
  or eax, 1 << 6
  TRY "mce", mov cr4, eax
  mov eax, cr4
  H32 eax
  NL

  PUTS "sdm"
  NL
  PUTS "wr1 "
  WR 0x401, 0, 1                   ; MC0_STATUS
  WR 0x402, 0, 1                   ; MC0_ADDR
  WR 0x427, 1, 0                   ; MC9_MISC
  RD 0x401
  NL
  PUTS "mcg-status-rsvd "
  WR 0x17a, 0, 8
  WR 0x17a, 0x80000000, 0
  RD 0x17a
  NL
  PUTS "cap-write "
  WR 0x179, 0, 0x10a
  RD 0x179
  NL
  PUTS "past-banks "
  RD 0x428
  WR 0x428, 0, 0
  RD 0x3ff
  NL
  PUTS "end"
  NL
  EXIT 0
TRY_HANDLERS
ROM_END
