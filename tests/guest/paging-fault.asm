; Page faults in 32-bit protected mode, compared with qemu -cpu pentium2: the
; #PF error code (P, W/R, U/S: SDM vol. 3 §4.7) and CR2 for reads, writes and
; instruction fetches at CPL 0 and CPL 3 on not-present pages, read-only pages
; (with CR0.WP = 1 and 0), supervisor pages, 4 MiB pages, and PDE/PTE rights
; combined (§4.6: both levels must allow the access).
%include "lib/rom.inc"
%include "sys-lib.inc"
%define PM_MAIN pf_main
%include "sys-pm.inc"

PD   equ 0x10000
PT0  equ 0x11000
PT3  equ 0x12000
PT4  equ 0x13000
%define PTE(x) (PT0 + ((x) >> 12) * 4)

%macro USER 0             ; ring-3 prologue: flat ring-3 data segments
  mov ax, 0x23
  mov ds, ax
  mov es, ax
%endmacro

main:
  jmp pm_enter

bits 32
pf_main:
  mov edi, PT0
  mov eax, 0x007
.fill:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 0x1000
  jne .fill
  mov edi, PD
.clr:
  mov dword [edi], 0
  add edi, 4
  cmp edi, PD + 0x1000
  jne .clr
  mov dword [PD], PT0 | 0x007
  mov dword [PTE(0x20000)], 0                    ; not present
  mov dword [PTE(0x21000)], 0x31000 | 0x005      ; user, read-only
  mov dword [PTE(0x22000)], 0x32000 | 0x003      ; supervisor, writable
  mov dword [PTE(0x23000)], 0x33000 | 0x001      ; supervisor, read-only
  mov dword [PD + 4*2], 0x800000 | 0x083         ; 4 MiB, supervisor
  mov dword [PD + 4*3], PT3 | 0x003              ; supervisor PDE ...
  mov dword [PT3], 0x34000 | 0x007               ; ... user PTE
  mov dword [PD + 4*4], PT4 | 0x005              ; read-only user PDE ...
  mov dword [PT4], 0x35000 | 0x007               ; ... writable PTE
  mov byte [0x32000], 0xc3                       ; RET, for the fetch test
  mov eax, PD
  mov cr3, eax
  mov eax, cr4
  or eax, 0x10                                   ; PSE
  mov cr4, eax
  mov eax, cr0
  or eax, 0x80010000                             ; PG, WP
  mov cr0, eax

  PUTS32 "s-read-np"
  TRY32
  mov eax, [0x20010]
  ENDTRY32
  call putnl32
  PUTS32 "s-write-np"
  TRY32
  mov dword [0x20010], 1
  ENDTRY32
  call putnl32
  PUTS32 "s-write-user-ro-wp1"
  TRY32
  mov dword [0x21008], 1
  ENDTRY32
  call putnl32
  PUTS32 "s-write-sup-ro-wp1"
  TRY32
  mov byte [0x23fff], 1
  ENDTRY32
  call putnl32
  PUTS32 "s-read-pde-np"
  TRY32
  mov eax, [0x400123]
  ENDTRY32
  call putnl32
  PUTS32 "s-write-ro-pde-wp1"
  TRY32
  mov dword [0x1000008], 1
  ENDTRY32
  call putnl32
  PUTS32 "s-fetch-np"
  TRY32
  mov eax, 0x20000
  call eax
  ENDTRY32
  mov eax, [EIP32]
  call sys_hex32_32
  call putnl32
  PUTS32 "s-fetch-ok"
  TRY32
  mov eax, 0x22000
  call eax
  ENDTRY32
  call putnl32
  PUTS32 "s-split-write"
  TRY32
  mov dword [0x1fffe], 0x12345678
  ENDTRY32
  call putnl32

  mov eax, cr0
  and eax, ~0x10000                              ; WP = 0
  mov cr0, eax
  PUTS32 "s-write-ro-wp0"
  TRY32
  mov dword [0x21008], 0x5a5a5a5a
  mov dword [0x1000008], 0xa5a5a5a5
  ENDTRY32
  mov eax, [0x31008]
  call sys_hex32_32
  mov eax, [0x35008]
  call sys_hex32_32
  call putnl32
  mov eax, cr0
  or eax, 0x10000
  mov cr0, eax

  PUTS32 "u-read-np"
  TRY32
  RING3 u_read_np
  ENDTRY32
  call putnl32
  PUTS32 "u-write-np"
  TRY32
  RING3 u_write_np
  ENDTRY32
  call putnl32
  PUTS32 "u-read-sup"
  TRY32
  RING3 u_read_sup
  ENDTRY32
  call putnl32
  PUTS32 "u-write-ro"
  TRY32
  RING3 u_write_ro
  ENDTRY32
  call putnl32
  PUTS32 "u-read-ro"
  TRY32
  RING3 u_read_ro
  ENDTRY32
  call putnl32
  PUTS32 "u-read-4m-sup"
  TRY32
  RING3 u_read_4m
  ENDTRY32
  call putnl32
  PUTS32 "u-read-sup-pde"
  TRY32
  RING3 u_read_sup_pde
  ENDTRY32
  call putnl32
  PUTS32 "u-write-ro-pde"
  TRY32
  RING3 u_write_ro_pde
  ENDTRY32
  call putnl32
  PUTS32 "u-read-ro-pde"
  TRY32
  RING3 u_read_ro_pde
  ENDTRY32
  mov eax, [PD + 4*4]
  and eax, 0x60
  call sys_hex32_32
  mov eax, [PT4]
  and eax, 0x60
  call sys_hex32_32
  call putnl32
  PUTS32 "u-fetch-sup"
  TRY32
  RING3 u_fetch_sup
  ENDTRY32
  mov eax, [EIP32]
  call sys_hex32_32
  call putnl32
  PUTS32 "done"
  call putnl32
  EXIT 0

u_read_np:
  USER
  mov eax, [0x20000]
  int 0x80
u_write_np:
  USER
  mov [0x20000], eax
  int 0x80
u_read_sup:
  USER
  mov eax, [0x22000]
  int 0x80
u_write_ro:
  USER
  mov [0x21000], eax
  int 0x80
u_read_ro:
  USER
  mov eax, [0x21000]
  int 0x80
u_read_4m:
  USER
  mov eax, [0x800000]
  int 0x80
u_read_sup_pde:
  USER
  mov eax, [0xc00000]
  int 0x80
u_write_ro_pde:
  USER
  mov [0x1000000], eax
  int 0x80
u_read_ro_pde:
  USER
  mov eax, [0x1000000]
  int 0x80
u_fetch_sup:
  USER
  mov eax, 0x22000
  jmp eax
bits 16
ROM_END
