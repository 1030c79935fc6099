; Watches the MC146818 RTC's time of day (written for this project), for
; tests/cli/rtc.test.ts: prints hours, minutes and seconds (BCD, as the RTC holds
; them at power-on) when it starts and then each time the seconds change, LINES
; lines in all, then exits. The test stops the machine in between (the
; monitor's stop and cont) and compares the lines with the host's clock:
; -rtc clock=host reads the host's time after the stop, clock=vm lags by it.
%include "lib/rom.inc"

LINES equ 9

%macro CMOS 1                       ; AL = CMOS register %1
  mov al, %1
  out 0x70, al
  in al, 0x71
%endmacro

%macro SHOW 1                       ; register %1 in hex, then a space
  CMOS %1
  call puthex8
  mov al, ' '
  call putc
%endmacro

main:
  mov cx, LINES
  mov bl, 0xff                      ; the seconds last printed (none yet)
.poll:
  CMOS 0x0a                         ; no update in progress: the registers are stable
  test al, 0x80
  jnz .poll
  CMOS 0x00
  cmp al, bl
  je .poll
  mov bl, al
  SHOW 0x04
  SHOW 0x02
  mov al, bl
  call puthex8
  call putnl
  loop .poll
  PUTS "done"
  call putnl
  EXIT 0

ROM_END
