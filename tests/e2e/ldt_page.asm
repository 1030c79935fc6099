; Guest for tests/e2e/ldtpage.test.ts (written for this project): a disk image
; booted by SeaBIOS in the page. Its boot sector enters 32-bit protected mode,
; loads a three-entry LDT (selector 18h in its GDT) with LLDT, loads ES from
; LDT entry 1 (selector 0Ch: index 1, TI set, RPL 0), says "ldt ready" on COM1
; and halts with interrupts off, for the inspector to show the LDT. The
; descriptors (SDM vol. 3 figure 3-8):
;   LDT 0 (04h): 32-bit code, readable, DPL 3, base 10000h, limit FFFFh bytes
;   LDT 1 (0Ch): 32-bit data, writable, DPL 0, base 200000h, limit FFFFFh pages
;                (4 GiB - 1 after G), not accessed until MOV ES sets the bit
;   LDT 2 (14h): 16-bit data, writable, DPL 1, not present, base 0, limit 0
bits 16
org 0x7c00
cpu 686

boot:
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7c00
  lgdt [gdtr]
  mov eax, cr0
  or al, 1
  mov cr0, eax
  jmp 0x08:pm

bits 32
pm:
  mov ax, 0x10
  mov ds, ax
  mov ss, ax
  mov ax, 0x18
  lldt ax
  mov ax, 0x0c
  mov es, ax
  mov esi, ready
.put:
  mov al, [esi]
  test al, al
  jz .done
  mov dx, 0x3fd
  mov ah, al
.wait:
  in al, dx
  test al, 0x20
  jz .wait
  mov al, ah
  mov dx, 0x3f8
  out dx, al
  inc esi
  jmp .put
.done:
  hlt
  jmp .done

align 8
gdt:
  dq 0
  dq 0x00cf9b000000ffff                 ; 08h: flat 32-bit code
  dq 0x00cf93000000ffff                 ; 10h: flat 32-bit data
  dw ldt_end - ldt - 1, ldt, 0x8200, 0  ; 18h: the LDT (base below 10000h)
gdtr: dw $ - gdt - 1
  dd gdt
ldt:
  dw 0xffff, 0x0000
  db 0x01, 0xfa, 0x40, 0x00
  dw 0xffff, 0x0000
  db 0x20, 0x92, 0xcf, 0x00
  dw 0x0000, 0x0000
  db 0x00, 0x32, 0x00, 0x00
ldt_end:

ready: db "ldt ready", 13, 10, 0

  times 510 - ($ - $$) db 0
  dw 0xaa55
  times 0x100000 - ($ - $$) db 0
