; Micro-benchmark: a loop storing to a device, the VGA text window at B8000h
; (asm/dev/vga.ts, MMIO). Per iteration 2000 word stores, 5 instructions each.
; Translated, the store leaves its block until it has reached the device 16
; times, then runs by the interpreter's handler inside the block
; (docs/PERFORMANCE.md, "Devices in loops"). The checksum is what was stored,
; summed in a register (the window is not read back).
%include "micro.inc"

TEXT    equ 0xb8000

bench_body:
  push ebp
  xor edx, edx                  ; checksum
.outer:
  mov edi, TEXT
  mov ebx, 2000
  mov eax, ecx
  or eax, 0x0700
.store:
  mov [edi], ax
  add edi, 2
  add edx, eax
  inc eax
  and eax, 0x07ff
  dec ebx
  jnz .store
  dec ecx
  jnz .outer
  mov eax, edx
  pop ebp
  ret

ROM_END
