; The nested guest that kvm-hello runs (tools/guest/kvm-hello/kvm-hello.c):
; it starts in real mode at 0000:1000, enters protected mode, turns on paging
; with an identity map of its 64 KiB, writes its greeting to port 3F8H one
; byte at a time (each OUT is an I/O exit that kvm-hello prints), and halts.
; Built with nasm -f bin by tools/guest/build.mjs.

PAYLOAD   equ 0x1000            ; where kvm-hello loads this, and the entry IP
PAGE_DIR  equ 0x4000            ; page directory
PAGE_TAB  equ 0x5000            ; one page table: 16 pages, 0-64 KiB
STACK_TOP equ 0x8000
PORT      equ 0x3f8

bits 16
org PAYLOAD
start:
  cli
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, STACK_TOP
  lgdt [gdt_desc]
  mov eax, cr0
  or al, 1                      ; CR0.PE
  mov cr0, eax
  jmp dword 0x08:protected

bits 32
protected:
  mov ax, 0x10
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov esp, STACK_TOP
  ; identity map 0-64 KiB: present, writable, supervisor
  mov edi, PAGE_TAB
  mov eax, 0x003
  mov ecx, 16
.map:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  loop .map
  mov dword [PAGE_DIR], PAGE_TAB | 0x003
  mov eax, PAGE_DIR
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000            ; CR0.PG
  mov cr0, eax
  mov esi, greeting
  mov dx, PORT
.say:
  lodsb
  test al, al
  jz .done
  out dx, al
  jmp .say
.done:
  hlt
  jmp .done

align 8
gdt:
  dq 0
  dq 0x00cf9a000000ffff         ; 08: code, base 0, 4 GiB, 32-bit
  dq 0x00cf92000000ffff         ; 10: data, base 0, 4 GiB
gdt_desc:
  dw gdt_desc - gdt - 1
  dd gdt

greeting: db "Hello from the nested guest", 10, 0
