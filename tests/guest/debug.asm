; Debug features in real mode (linear = physical), compared with qemu -cpu pentium2:
; single-step (#DB trap after the instruction, DR6.BS), instruction breakpoints
; (#DB fault before the instruction, DR6.Bn), data breakpoints on writes (R/W 01)
; and on reads or writes (R/W 11) with LEN 1/2/4 (#DB trap after the access).
%include "lib/rom.inc"
%include "sys-lib.inc"

DATA equ 0x800
RAMCODE equ 0x1000

%macro CLEAR_DR6 0
  mov eax, 0
  mov dr6, eax
%endmacro
; An instruction breakpoint case: DR0 = %2, DR7 = %3, then run the RAM code from
; its start under TRY; prints %1, the catch, EBX (0x1234 once the first
; instruction ran) and DR6.
%macro IBP_CASE 3
  CLEAR_DR6
  mov eax, %2
  mov dr0, eax
  mov eax, %3
  mov dr7, eax
  PUTS %1
  mov ebx, 0
  TRY
  jmp 0:RAMCODE
  ENDTRY
  mov eax, 0
  mov dr7, eax
  HEX32 ebx
  SHOW_DR6
  call putnl
%endmacro

; POPF with TF set (EAX = 0 before it): the instruction after the POPF is the
; first to start with TF set.
%macro SET_TF 0
  pushf
  pop ax
  or ax, 0x100
  push ax
  mov eax, 0
  popf
%endmacro
%macro SHOW_DR6 0
  mov eax, dr6
  PUTS " dr6"
  HEX32 eax
%endmacro

main:
  REAL_START
  call setup_ivt
  mov dword [DATA], 0x44332211
  mov dword [DATA+0x10], 0x88776655

  ; --- single-step: trap after the first instruction that starts with TF set
  CLEAR_DR6
  PUTS "step"
  mov eax, 0
  TRY
  SET_TF                ; TF = 1 from here on
  mov eax, 1            ; traps after this one
  step_next:
  mov eax, 2
  ENDTRY
  HEX32 eax
  mov ax, [ss:FAULT_FL]
  and ax, 0x100
  HEX32 eax
  mov eax, 0
  mov ax, [ss:FAULT_IP]
  sub ax, step_next
  HEX32 eax
  SHOW_DR6
  call putnl

  ; --- single-step over INT n: no trap after the INT (its handler runs with TF
  ; clear); the handler's IRET brings TF back and the next instruction traps
  mov word [0x60*4], step_int_handler
  mov word [0x60*4+2], cs
  CLEAR_DR6
  PUTS "step-int"
  mov ebx, 0
  TRY
  SET_TF                ; TF = 1 from here on
  int 0x60              ; no trap after this one
  mov eax, 3            ; traps after this one
  step_int_next:
  mov eax, 4
  ENDTRY
  HEX32 eax
  HEX32 ebx
  mov eax, 0
  mov ax, [ss:FAULT_IP]
  sub ax, step_int_next
  HEX32 eax
  SHOW_DR6
  call putnl

  ; --- instruction breakpoint: a fault, the instruction has not run. The
  ; target is code copied to RAM at 0:RAMCODE (qemu crashes on a hardware
  ; breakpoint in ROM): "mov ebx, 0x1234 ; jmp 0xf000:ibp_back"
  mov si, ramcode
  mov di, RAMCODE
.copy:
  mov al, [cs:si]
  mov [di], al
  inc si
  inc di
  cmp si, ramcode_end
  jne .copy
  IBP_CASE "ibp", RAMCODE, 0x00000001        ; L0, R/W0 = 00, LEN0 = 00
  ; the same with G0 instead of L0, on the second instruction (a JMP FAR)
  IBP_CASE "ibp-g0", RAMCODE + 6, 0x00000002
  ; a disabled breakpoint (DR7 = 0) does nothing
  PUTS "ibp-off"
  mov ebx, 0
  TRY
  jmp 0:RAMCODE
  ibp_back:
  ENDTRY
  HEX32 ebx
  call putnl

  ; --- data breakpoint on writes, 4 bytes at DATA (DR1: L1, R/W1 = 01, LEN1 = 11)
  mov eax, DATA
  mov dr1, eax
  mov eax, 0x00d00004
  mov dr7, eax
  CLEAR_DR6
  PUTS "wbp-read"
  TRY
  mov eax, [DATA]
  ENDTRY
  SHOW_DR6
  call putnl
  PUTS "wbp-write"
  TRY
  mov byte [DATA+2], 0xaa
  wbp_next:
  nop
  ENDTRY
  mov eax, 0
  mov ax, [ss:FAULT_IP]
  sub ax, wbp_next
  HEX32 eax
  HEX32 [DATA]
  SHOW_DR6
  call putnl
  CLEAR_DR6
  PUTS "wbp-outside"
  TRY
  mov byte [DATA+4], 0xbb
  mov byte [DATA-1], 0xcc
  ENDTRY
  SHOW_DR6
  PUTS " overlap"
  TRY
  mov word [DATA+3], 0x9988   ; one byte inside
  ENDTRY
  SHOW_DR6
  HEX32 [DATA]
  call putnl

  ; --- data breakpoint on reads or writes, 1 byte (DR2: L2, R/W2 = 11, LEN2 = 00)
  ; and 2 bytes (DR3: L3, R/W3 = 11, LEN3 = 01)
  mov eax, DATA + 0x10
  mov dr2, eax
  mov eax, DATA + 0x14
  mov dr3, eax
  mov eax, 0x7300_0050
  mov dr7, eax
  CLEAR_DR6
  PUTS "rwbp-1"
  TRY
  mov al, [DATA+0x11]
  ENDTRY
  SHOW_DR6
  TRY
  mov al, [DATA+0x10]
  ENDTRY
  SHOW_DR6
  call putnl
  CLEAR_DR6
  PUTS "rwbp-word-over"
  TRY
  mov ax, [DATA+0xf]
  ENDTRY
  SHOW_DR6
  call putnl
  CLEAR_DR6
  PUTS "rwbp-2"
  TRY
  mov al, [DATA+0x16]
  ENDTRY
  SHOW_DR6
  TRY
  mov al, [DATA+0x15]
  ENDTRY
  SHOW_DR6
  call putnl
  mov eax, 0
  mov dr7, eax

  PUTS "done"
  call putnl
  EXIT 0
step_int_handler:
  inc ebx
  iret

ramcode:
  mov ebx, 0x1234
  jmp 0xf000:ibp_back
ramcode_end:
ROM_END
