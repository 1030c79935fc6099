; PAE paging (SDM vol. 3 §4.4), execute-disable and IA32_PAT, compared with
; qemu -cpu pentium2 and -cpu pentium2,+nx: CPUID's PAE/PAT/NX bits, the PDPTE
; registers loaded when MOV CR0 turns paging on, 4 KiB and 2 MiB pages,
; accessed/dirty bits in 64-bit entries, not-present, reserved-bit (RSVD, §4.7)
; and write-protect faults, XD as a reserved bit while EFER.NXE = 0, and with
; NX: EFER.NXE, fetches from XD pages (error code I/D), PAT read and write.
;
; The last lines ("sdm:") are where qemu's TCG is not the reference: it loads no
; PDPTE registers (so no #GP for a reserved PDPTE bit at MOV CR3; the walk
; faults later), and it ignores reserved IA32_EFER bits and invalid PAT types
; instead of raising #GP. pae.test.ts states both answers. With -DHALT the ROM
; halts at the end instead of exiting, for the monitor's info mem / info tlb.
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN pae_main
%include "sys-pm.inc"

PDPT  equ 0x10000         ; 32-byte aligned; PDPTE0 -> PD0, 1..3 not present
BADPT equ 0x10020         ; a second PDPT: PDPTE0 as PDPT's, PDPTE3 reserved bit 1
PD0   equ 0x11000         ; 0-1 GiB
PT0   equ 0x12000         ; 0-2 MiB, identity, 4 KiB pages
PT2   equ 0x13000         ; 4-6 MiB: the test pages
PT4   equ 0x14000         ; 8-10 MiB: under an XD PDE
%define PTE2(x) (PT2 + (((x) - 0x400000) >> 12) * 8)

; Set a 64-bit entry: %1 address, %2 low dword, %3 high dword.
%macro ENTRY 3
  mov dword [%1], %2
  mov dword [%1 + 4], %3
%endmacro

; CPUID leaf %1 into EAX EBX ECX EDX.
%macro CPUID 1
  mov eax, %1
  xor ecx, ecx
  cpuid
%endmacro

main:
  jmp pm_enter

bits 32
pae_main:
  ; --- CPUID: PAE and PAT in leaf 1; extended leaves only with NX ---
  PUTS32 "cpuid1"
  CPUID 1
  mov eax, edx
  and eax, 0x00010040                ; PAT, PAE
  call sys_hex32_32
  call putnl32
  CPUID 0x80000000
  mov [NX_ON], dword 0
  cmp eax, 0x80000001
  jb .noext
  cmp eax, 0x8000ffff
  ja .noext
  PUTS32 "cpuid80000000"
  call sys_hex32_32
  mov eax, ebx
  call sys_hex32_32
  mov eax, ecx
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  call putnl32
  PUTS32 "cpuid80000001"
  CPUID 0x80000001
  call sys_hex32_32
  mov eax, ebx
  call sys_hex32_32
  mov eax, ecx
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  call putnl32
  and edx, 1 << 20
  mov [NX_ON], edx
  jmp .ext_done
.noext:
  PUTS32 "no extended leaves"
  call putnl32
.ext_done:

  ; --- PAT ---
  PUTS32 "pat"
  TRY32
  mov ecx, 0x277
  rdmsr
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  mov eax, 0x04000607                ; UC- WT UC WB ... every type that exists
  mov edx, 0x01050607
  wrmsr
  xor eax, eax
  xor edx, edx
  rdmsr
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  ENDTRY32
  call putnl32

  ; --- page tables ---
  mov edi, PDPT                      ; clear PDPT .. PT4
.clr:
  mov dword [edi], 0
  add edi, 4
  cmp edi, PT4 + 0x1000
  jne .clr
  mov edi, PT0                       ; identity 0-2 MiB, 4 KiB user pages
  mov eax, 0x007
.fill:
  mov [edi], eax
  add eax, 0x1000
  add edi, 8
  cmp edi, PT0 + 0x1000
  jne .fill
  ENTRY PDPT, PD0 | 1, 0
  ENTRY BADPT, PD0 | 1, 0
  ENTRY BADPT + 24, PD0 | 3, 0       ; bit 1 is reserved in a PDPTE
  ENTRY PD0 + 0*8, PT0 | 0x007, 0
  ENTRY PD0 + 1*8, 0x200000 | 0x083, 0             ; 2 MiB, identity
  ENTRY PD0 + 2*8, PT2 | 0x007, 0
  ENTRY PD0 + 3*8, 0x600000 | 0x2083, 0            ; 2 MiB with reserved bit 13
  ENTRY PD0 + 4*8, PT4 | 0x003, 0x80000000         ; XD in the PDE
  ENTRY PD0 + 5*8, 0xa00000 | 0x083, 0x00000010    ; 2 MiB, address bit 36: reserved
  ENTRY PTE2(0x400000), 0x30000 | 0x003, 0         ; writable
  ; 0x401000 not present
  ENTRY PTE2(0x402000), 0x31000 | 0x003, 0x00000100 ; bit 40: above MAXPHYADDR 36
  ENTRY PTE2(0x403000), 0x31000 | 0x001, 0         ; read-only
  ENTRY PTE2(0x404000), 0x31000 | 0x003, 0         ; read only here: A without D
  ENTRY PTE2(0x405000), 0x32000 | 0x003, 0x80000000 ; XD: code at 0x32000
  ENTRY PTE2(0x406000), 0x32000 | 0x003, 0         ; the same code, executable
  ENTRY PTE2(0x407000), 0xfffff000 | 0x003, 0x0000000f ; physical 0xF_FFFFF000: nothing there
  ENTRY PTE2(0x408000), 0x32000 | 0x007, 0x80000000 ; XD, user
  ENTRY PT4, 0x32000 | 0x003, 0                    ; executable PTE under the XD PDE
  mov dword [0x32000], 0x000003b9    ; mov ecx, 3 / .l: dec ecx / jnz .l / ret:
  mov dword [0x32004], 0xfd754900    ; a loop, so that the page's code gets translated
  mov byte [0x32008], 0xc3
  mov dword [0x30000], 0x11111111
  mov dword [0x31000], 0x22222222

  mov eax, PDPT
  mov cr3, eax
  mov eax, cr4
  or eax, 0x20                       ; PAE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000                 ; PG, WP: the PDPTEs load here
  mov cr0, eax
  PUTS32 "paging"
  mov eax, cr4
  call sys_hex32_32
  call putnl32

  ; --- 4 KiB pages, accessed and dirty ---
  PUTS32 "read-4k"
  TRY32
  mov eax, [0x404010]
  call sys_hex32_32
  ENDTRY32
  mov eax, [PTE2(0x404000)]
  and eax, 0x60
  call sys_hex32_32
  mov eax, [PD0 + 2*8]
  and eax, 0x60
  call sys_hex32_32
  call putnl32
  PUTS32 "write-4k"
  TRY32
  mov dword [0x400020], 0x33333333
  ENDTRY32
  mov eax, [PTE2(0x400000)]
  and eax, 0x60
  call sys_hex32_32
  mov eax, [0x30020]
  call sys_hex32_32
  call putnl32

  ; --- 2 MiB pages ---
  PUTS32 "read-2m"
  TRY32
  mov eax, [0x3ffffc]
  ENDTRY32
  mov eax, [PD0 + 1*8]
  and eax, 0x60
  call sys_hex32_32
  call putnl32
  PUTS32 "write-2m"
  TRY32
  mov dword [0x2ff000], 0x44444444
  ENDTRY32
  mov eax, [PD0 + 1*8]
  and eax, 0x60
  call sys_hex32_32
  call putnl32

  ; --- faults ---
  PUTS32 "read-np"
  TRY32
  mov eax, [0x401008]
  ENDTRY32
  call putnl32
  PUTS32 "write-np"
  TRY32
  mov dword [0x401008], 0
  ENDTRY32
  call putnl32
  PUTS32 "pdpte-np"
  TRY32
  mov eax, [0x40000000]
  ENDTRY32
  call putnl32
  PUTS32 "pte-rsvd-maxphyaddr"
  TRY32
  mov eax, [0x402000]
  ENDTRY32
  call putnl32
  PUTS32 "pte-rsvd-write"
  TRY32
  mov dword [0x402004], 0
  ENDTRY32
  call putnl32
  PUTS32 "pde-2m-rsvd-bit13"
  TRY32
  mov eax, [0x600000]
  ENDTRY32
  call putnl32
  PUTS32 "pde-2m-rsvd-bit36"
  TRY32
  mov eax, [0xa00000]
  ENDTRY32
  call putnl32
  PUTS32 "write-ro-wp1"
  TRY32
  mov dword [0x403000], 1
  ENDTRY32
  call putnl32
  PUTS32 "above-4g"                 ; a translation, but no memory (the value differs)
  TRY32
  mov eax, [0x407000]
  mov dword [0x407000], 0
  ENDTRY32
  call putnl32

  ; --- execute-disable while EFER.NXE = 0: bit 63 is reserved ---
  PUTS32 "xd-rsvd-read"
  TRY32
  mov eax, [0x405000]
  ENDTRY32
  call putnl32
  PUTS32 "xd-rsvd-fetch"
  TRY32
  mov eax, 0x405000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "xd-pde-rsvd-fetch"
  TRY32
  mov eax, 0x800000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "fetch-ok"
  TRY32
  mov eax, 0x406000
  call eax
  ENDTRY32
  call putnl32

  ; --- INVLPG and CR3 reload: a changed PTE is seen after them ---
  PUTS32 "invlpg"
  mov eax, [0x400020]
  ENTRY PTE2(0x400000), 0x31000 | 0x003, 0
  invlpg [0x400000]
  mov eax, [0x400000]
  call sys_hex32_32
  ENTRY PTE2(0x400000), 0x30000 | 0x003, 0
  mov eax, cr3
  mov cr3, eax
  mov eax, [0x400020]
  call sys_hex32_32
  call putnl32

  cmp dword [NX_ON], 0
  je .no_nx

  ; --- NX: EFER.NXE, then XD forbids fetches only ---
  PUTS32 "efer"
  TRY32
  mov ecx, 0xc0000080
  rdmsr
  call sys_hex32_32
  mov eax, 0x800
  xor edx, edx
  wrmsr
  rdmsr
  call sys_hex32_32
  mov eax, edx
  call sys_hex32_32
  ENDTRY32
  call putnl32
  mov eax, cr3
  mov cr3, eax
  PUTS32 "nx-read"
  TRY32
  mov eax, [0x405000]
  call sys_hex32_32
  ENDTRY32
  call putnl32
  PUTS32 "nx-fetch"
  TRY32
  mov eax, 0x405000
  call eax
  ENDTRY32
  mov eax, [EIP32]
  call sys_hex32_32
  call putnl32
  PUTS32 "nx-pde-fetch"
  TRY32
  mov eax, 0x800000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "nx-fetch-np"
  TRY32
  mov eax, 0x401000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "nx-fetch-rsvd"
  TRY32
  mov eax, 0x402000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "nx-fetch-ok"
  TRY32
  mov eax, 0x406000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "nx-user-fetch"
  TRY32
  RING3 u_nx_fetch
  ENDTRY32
  call putnl32
  ; a page whose code has run (and been translated) becomes XD: INVLPG is enough
  PUTS32 "nx-after-run"
  TRY32
  mov eax, 0x406000
  call eax
  call eax
  call eax
  ENTRY PTE2(0x406000), 0x32000 | 0x003, 0x80000000
  invlpg [0x406000]
  call eax
  ENDTRY32
  ENTRY PTE2(0x406000), 0x32000 | 0x003, 0
  invlpg [0x406000]
  PUTS32 " back"
  TRY32
  mov eax, 0x406000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "nx-write-np"
  TRY32
  mov dword [0x401000], 0
  ENDTRY32
  call putnl32
  ; NXE off again: XD is a reserved bit once more
  mov ecx, 0xc0000080
  xor eax, eax
  xor edx, edx
  wrmsr
  mov eax, cr3
  mov cr3, eax
  PUTS32 "nxe0-read"
  TRY32
  mov eax, [0x405000]
  ENDTRY32
  call putnl32
.no_nx:

  ; --- sdm: where qemu answers otherwise (see the top of this file) ---
  PUTS32 "sdm: pdpte-rsvd"
  TRY32
  mov eax, BADPT
  mov cr3, eax
  ENDTRY32
  mov eax, cr3
  call sys_hex32_32
  TRY32
  mov eax, [0xc0000000]
  ENDTRY32
  mov eax, PDPT
  mov cr3, eax
  call putnl32
  PUTS32 "sdm: efer-rsvd"
  TRY32
  mov ecx, 0xc0000080
  mov eax, 1                         ; SCE: no SYSCALL on this model
  xor edx, edx
  wrmsr
  ENDTRY32
  call putnl32
  PUTS32 "sdm: pat-invalid"
  TRY32
  mov ecx, 0x277
  mov eax, 0x00070402                ; PA0 = 2: reserved
  xor edx, edx
  wrmsr
  ENDTRY32
  xor eax, eax
  rdmsr
  call sys_hex32_32
  call putnl32
  PUTS32 "done"
  call putnl32
%ifdef HALT
  cli                                ; for the monitor (pae.test.ts): PAE paging, standing still
.halt:
  hlt
  jmp .halt
%endif
  EXIT 0

NX_ON equ 0x800

u_nx_fetch:
  mov ax, 0x23
  mov ds, ax
  mov es, ax
  mov eax, 0x408000
  jmp eax
bits 16
ROM_END
