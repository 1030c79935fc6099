; Micro-benchmark: the event timeline's cost per event (asm/cpu/events.ts).
; Per iteration one INT 30h at CPL 0 to a handler that IRETs: a "softint"
; event each, and nothing else the timeline records. Compared with a build
; whose recordEvent returns at once (tools/bench/micro.ts --wasm), the
; difference per iteration is what recording one event costs
; (docs/PERFORMANCE.md, "The event timeline").
%include "micro.inc"

IDT     equ 0x300000            ; 256 gates, above the other benchmarks' DATA
VECTOR  equ 0x30

bench_body:
  push ebp
  push ecx                      ; the iteration count (REP STOSD takes ECX)
  ; an IDT whose gate 30h is a 32-bit interrupt gate to `handler` (CS 08h, DPL 0)
  mov edi, IDT
  xor eax, eax
  mov ecx, 512
  rep stosd
  mov eax, handler + ROMLIN
  mov word [IDT + VECTOR * 8], ax
  mov word [IDT + VECTOR * 8 + 2], 0x08
  mov word [IDT + VECTOR * 8 + 4], 0x8e00
  shr eax, 16
  mov word [IDT + VECTOR * 8 + 6], ax
  lidt [idt_desc + ROMLIN]
  lgdt [gdt_desc + ROMLIN]      ; the driver starts with flat segment caches but no GDTR: INT and IRET load CS 08h
  pop ecx
  xor edi, edi                  ; checksum: the handler's count
.outer:
  push ecx
  mov ecx, 256
.inner:
  int VECTOR
  dec ecx
  jnz .inner
  pop ecx
  dec ecx
  jnz .outer
  mov eax, edi
  pop ebp
  ret

handler:
  inc edi
  iret

idt_desc:
  dw 256 * 8 - 1
  dd IDT

ROM_END
