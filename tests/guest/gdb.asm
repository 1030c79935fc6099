; The debugging target of tests/cli/gdb.test.ts and monitor.test.ts (written for
; this project): run under gdb and the monitor in RingZero and in
; qemu-system-i386 with the same ROM, whose outputs are compared.
;
;   main     real mode: a few instructions for stepi, then `bp_count` (a
;            breakpoint at linear F0000h + bp_count), a loop that increments
;            the word at 500h five times (a watchpoint), and a report
;   PM_ENTER 32-bit ring 0 (lib/pm.inc), then paging with these mappings
;            (`info mem`, `info tlb`, `x` and `xp`):
;              0-FFFFFh        identity, supervisor read/write (page table at 11000h)
;              400000-401FFFh  -> 20000-21FFFh, user read-only
;              402000-402FFFh  -> 22000h, user read/write
;              800000-BFFFFFh  -> 0, a 4 MiB page (PSE), supervisor read-only
;   set_exit 32-bit: exits with the status in BL (gdb sets EBX there), after
;            printing "done" and the dword at 402010h; without a debugger
;            BL = 21h. With -DHALT the ROM halts there instead (cli; hlt), for
;            the monitor to look at a machine that stands still.
%include "lib/rom.inc"
%include "lib/pm.inc"

main:
  mov eax, 0x11111111
  mov ebx, 0x22222222
  mov ecx, 0x33333333
  add eax, ebx
  xor edx, edx
bp_count:
  PUTS "count "
  xor ax, ax
  mov ds, ax
  mov word [0x500], 0x1230
  mov cx, 5
.l:
  inc word [0x500]
.counted:                                   ; where a watchpoint on the INC stops
  loop .l
  mov ax, [0x500]
  call puthex16
  call putnl
  fninit                                    ; the x87 as QEMU's reset leaves it (info registers)
  PM_ENTER
  ; page directory at 10000h, page tables at 11000h (0-4 MiB) and 12000h (4-8 MiB)
  mov edi, 0x10000
  xor eax, eax
  mov ecx, 3 * 1024
  cld
  rep stosd
  mov dword [0x10000], 0x11000 | 3          ; PDE 0: supervisor, writable
  mov dword [0x10004], 0x12000 | 7          ; PDE 1: user, writable (the PTEs decide)
  mov dword [0x10008], 0x00000000 | 0x81    ; PDE 2: 4 MiB page at 0, supervisor read-only
  mov edi, 0x11000
  mov eax, 3
  mov ecx, 256
.map:
  stosd
  add eax, 0x1000
  loop .map
  mov dword [0x12000], 0x20000 | 5          ; user read-only
  mov dword [0x12004], 0x21000 | 5
  mov dword [0x12008], 0x22000 | 7          ; user read/write
  mov eax, cr4
  or eax, 0x10                              ; PSE
  mov cr4, eax
  mov eax, 0x10000
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
  mov dword [0x402010], 0xcafebabe
  mov dword [0x402014], 0x00c0ffee
  mov bl, 0x21
set_exit:
  PPUTS "done "
  mov eax, [0x402010]
  call phex32
  call pnl
%ifdef HALT
  cli
.halt:
  hlt
  jmp .halt
%endif
  mov al, bl
  out 0xf4, al
  cli
  hlt
ROM_END
