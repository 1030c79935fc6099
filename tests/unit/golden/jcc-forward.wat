;; jcc-forward: cmp eax, ebx; jz over two inc ecx to inc edx; ret: a forward branch inside the block
;; 6 instructions, 1282 bytes of wasm, ends: ret
(module
  (type (;0;) (func (result i32)))
  (type (;1;) (func (param i32) (result i32)))
  (type (;2;) (func (param i32 i32) (result i32)))
  (type (;3;) (func (param i32 i32 i32) (result i32)))
  (import "m" "mem" (memory (;0;) 0))
  (import "f" "testcc" (func (;0;) (type 1)))
  (import "f" "eflags" (func (;1;) (type 0)))
  (import "f" "rdtsc" (func (;2;) (type 1)))
  (import "f" "chain" (func (;3;) (type 2)))
  (import "f" "lookup" (func (;4;) (type 2)))
  (import "f" "step" (func (;5;) (type 1)))
  (import "f" "str" (func (;6;) (type 2)))
  (import "f" "exit" (func (;7;) (type 3)))
  (func (;8;) (type 1) (param i32) (result i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64 i32 v128 v128 i32)
    i32.const 0
    i32.load offset=4128 align=1
    local.set 2
    i32.const 0
    i32.load offset=4096 align=1
    local.set 3
    i32.const 0
    i32.load offset=4100 align=1
    local.set 4
    i32.const 0
    i32.load offset=4104 align=1
    local.set 5
    i32.const 0
    i32.load offset=4108 align=1
    local.set 6
    i32.const 0
    i32.load offset=4112 align=1
    local.set 7
    i32.const 0
    i32.load offset=4132 align=1
    local.set 11
    i32.const 0
    i32.load offset=4136 align=1
    local.set 12
    i32.const 0
    i32.load offset=4140 align=1
    local.set 13
    i32.const 0
    i32.load offset=4144 align=1
    local.set 14
    i32.const 0
    i32.load offset=4148 align=1
    local.set 15
    i32.const 0
    i32.load offset=4152 align=1
    local.set 16
    i32.const 0
    i32.load offset=9699332 align=1
    local.set 17
    i32.const 0
    i32.load offset=9699336 align=1
    local.set 18
    i32.const 0
    i32.load offset=4392 align=1
    local.set 64
    block  ;; label = @1
      block  ;; label = @2
        i32.const 0
        i32.load offset=4784 align=1
        i32.const 4
        i32.and
        i32.const 4
        i32.ne
        if  ;; label = @3
          local.get 2
          local.set 21
          i32.const 1073741824
          local.set 1
          br 1 (;@2;)
        end
        loop  ;; label = @3
          local.get 3
          local.set 23
          local.get 6
          local.set 24
          local.get 23
          local.get 24
          i32.sub
          local.set 25
          i32.const 10
          local.set 13
          local.get 23
          local.set 14
          local.get 24
          local.set 15
          local.get 25
          local.set 16
          i32.const 2261
          local.set 12
          block  ;; label = @4
            local.get 16
            i32.eqz
            if  ;; label = @5
              local.get 1
              i32.const -2
              i32.add
              local.set 1
              br 1 (;@4;)
            end
            local.get 14
            local.get 15
            i32.lt_u
            local.set 26
            local.get 4
            local.set 23
            local.get 23
            i32.const 1
            i32.add
            local.set 25
            local.get 25
            local.set 4
            i32.const 1
            local.set 24
            i32.const 2
            local.set 13
            local.get 23
            local.set 14
            local.get 24
            local.set 15
            local.get 25
            local.set 16
            i32.const 2261
            local.set 12
            i32.const 2260
            local.set 12
            local.get 11
            i32.const -2
            i32.and
            local.get 26
            i32.or
            local.set 11
            local.get 11
            i32.const 0
            i32.shr_u
            i32.const 1
            i32.and
            local.set 26
            local.get 4
            local.set 23
            local.get 23
            i32.const 1
            i32.add
            local.set 25
            local.get 25
            local.set 4
            i32.const 1
            local.set 24
            i32.const 2
            local.set 13
            local.get 23
            local.set 14
            local.get 24
            local.set 15
            local.get 25
            local.set 16
            i32.const 2261
            local.set 12
            i32.const 2260
            local.set 12
            local.get 11
            i32.const -2
            i32.and
            local.get 26
            i32.or
            local.set 11
          end
          local.get 12
          i32.const 1
          i32.and
          if (result i32)  ;; label = @4
            local.get 14
            local.get 16
            local.get 13
            i32.const 8
            i32.and
            select
            i32.const 4120
            local.get 13
            i32.const 3
            i32.and
            i32.const 3
            i32.shl
            i32.shr_u
            i32.const 255
            i32.and
            i32.shl
            i64.extend_i32_u
            local.get 15
            local.get 14
            local.get 13
            i32.const 8
            i32.and
            select
            i32.const 4120
            local.get 13
            i32.const 3
            i32.and
            i32.const 3
            i32.shl
            i32.shr_u
            i32.const 255
            i32.and
            i32.shl
            i64.extend_i32_u
            local.get 13
            i32.const 2
            i32.shr_u
            i32.const 1
            i32.and
            i64.extend_i32_u
            i64.add
            i64.lt_u
            local.get 13
            i32.const 16
            i32.lt_u
            i32.and
          else
            local.get 11
            i32.const 1
            i32.and
          end
          local.set 26
          local.get 5
          local.set 23
          local.get 23
          i32.const 1
          i32.add
          local.set 25
          local.get 25
          local.set 5
          i32.const 1
          local.set 24
          i32.const 2
          local.set 13
          local.get 23
          local.set 14
          local.get 24
          local.set 15
          local.get 25
          local.set 16
          i32.const 2261
          local.set 12
          i32.const 2260
          local.set 12
          local.get 11
          i32.const -2
          i32.and
          local.get 26
          i32.or
          local.set 11
          local.get 7
          local.tee 29
          local.set 30
          block (result i32)  ;; label = @4
            block  ;; label = @5
              local.get 30
              i32.const 12
              i32.shr_u
              i32.const 2
              i32.shl
              i32.load offset=5242880 align=1
              local.tee 28
              local.get 17
              i32.and
              i32.const 1
              i32.ne
              br_if 0 (;@5;)
              local.get 30
              i32.const 4095
              i32.and
              i32.const 4092
              i32.gt_u
              br_if 0 (;@5;)
              local.get 28
              i32.const -4096
              i32.and
              local.get 30
              i32.add
              i32.load align=1
              br 1 (;@4;)
            end
            local.get 2
            i32.const 7
            i32.add
            local.set 21
            local.get 1
            i32.const 1073741829
            i32.add
            local.set 1
            br 2 (;@2;)
          end
          local.set 27
          local.get 27
          i32.const 0
          i32.load offset=4392 align=1
          i32.gt_u
          if  ;; label = @4
            local.get 2
            i32.const 7
            i32.add
            local.set 21
            local.get 1
            i32.const 1073741829
            i32.add
            local.set 1
            br 2 (;@2;)
          end
          local.get 29
          i32.const 4
          i32.add
          local.set 29
          local.get 29
          local.set 7
          local.get 27
          local.set 21
          i32.const 1
          local.set 62
          local.get 1
          i32.const 6
          i32.add
          local.set 1
          br 1 (;@2;)
        end
      end
      i32.const 0
      local.get 4
      i32.store offset=4100 align=1
      i32.const 0
      local.get 5
      i32.store offset=4104 align=1
      i32.const 0
      local.get 7
      i32.store offset=4112 align=1
      i32.const 0
      local.get 11
      i32.store offset=4132 align=1
      i32.const 0
      local.get 12
      i32.store offset=4136 align=1
      i32.const 0
      local.get 13
      i32.store offset=4140 align=1
      i32.const 0
      local.get 14
      i32.store offset=4144 align=1
      i32.const 0
      local.get 15
      i32.store offset=4148 align=1
      i32.const 0
      local.get 16
      i32.store offset=4152 align=1
      i32.const 0
      local.get 21
      i32.store offset=4128 align=1
      block  ;; label = @2
        local.get 62
        i32.eqz
        br_if 0 (;@2;)
        i32.const 0
        i32.load offset=9699328 align=1
        br_if 0 (;@2;)
        local.get 62
        i32.const 5
        i32.lt_u
        if  ;; label = @3
          block  ;; label = @4
            global.get 0
            local.get 21
            i32.ne
            br_if 0 (;@4;)
            global.get 1
            i32.const 0
            i32.load offset=9699388 align=1
            i32.const 0
            i32.load offset=4672 align=1
            i32.or
            i32.ne
            br_if 0 (;@4;)
            local.get 64
            i32.const -1
            i32.ne
            br_if 0 (;@4;)
            i32.const 0
            i32.load offset=4388 align=1
            br_if 0 (;@4;)
            local.get 1
            global.get 3
            i32.add
            local.get 0
            i32.gt_u
            br_if 2 (;@2;)
            global.get 2
            local.set 24
            br 1 (;@3;)
          end
          local.get 21
          local.get 0
          local.get 1
          i32.sub
          call 4
          local.tee 24
          i32.eqz
          br_if 1 (;@2;)
          local.get 21
          global.set 0
          local.get 24
          global.set 2
          i32.const 0
          i32.load offset=9699392 align=1
          global.set 1
          i32.const 0
          i32.load offset=9699396 align=1
          global.set 3
          br 0 (;@3;)
        else
          block  ;; label = @4
            local.get 63
            local.tee 23
            i32.load align=1
            local.get 62
            i32.eq
            br_if 0 (;@4;)
            local.get 23
            i32.const 16
            i32.add
            local.tee 23
            i32.load align=1
            local.get 62
            i32.eq
            br_if 0 (;@4;)
            local.get 23
            i32.const 16
            i32.add
            local.tee 23
            i32.load align=1
            local.get 62
            i32.eq
            br_if 0 (;@4;)
            local.get 23
            i32.const 16
            i32.add
            local.tee 23
            i32.load align=1
            local.get 62
            i32.ne
            br_if 2 (;@2;)
          end
          local.get 23
          i32.load offset=4 align=1
          local.tee 24
          i32.eqz
          br_if 1 (;@2;)
          local.get 23
          i32.load offset=12 align=1
          i32.const 196608
          i32.and
          i32.const 0
          i32.ne
          br_if 1 (;@2;)
          local.get 1
          local.get 23
          i32.load offset=8 align=1
          i32.add
          local.get 0
          i32.gt_u
          br_if 1 (;@2;)
          local.get 64
          i32.const -1
          i32.ne
          br_if 1 (;@2;)
        end
        i32.const 0
        i32.const 0
        i32.load offset=9699368 align=1
        local.get 1
        i32.add
        i32.store offset=9699368 align=1
        local.get 24
        local.get 0
        local.get 1
        i32.sub
        return_call 3
      end
      local.get 1
      return
    end
    i32.const 0
    local.get 4
    i32.store offset=4100 align=1
    i32.const 0
    local.get 5
    i32.store offset=4104 align=1
    i32.const 0
    local.get 7
    i32.store offset=4112 align=1
    i32.const 0
    local.get 11
    i32.store offset=4132 align=1
    i32.const 0
    local.get 12
    i32.store offset=4136 align=1
    i32.const 0
    local.get 13
    i32.store offset=4140 align=1
    i32.const 0
    local.get 14
    i32.store offset=4144 align=1
    i32.const 0
    local.get 15
    i32.store offset=4148 align=1
    i32.const 0
    local.get 16
    i32.store offset=4152 align=1
    i32.const 0
    local.get 2
    local.get 19
    i32.add
    i32.store offset=4128 align=1
    local.get 1
    local.get 20
    i32.add
    i32.const -2147483648
    i32.or)
  (global (;0;) (mut i32) (i32.const 4))
  (global (;1;) (mut i32) (i32.const 4))
  (global (;2;) (mut i32) (i32.const 4))
  (global (;3;) (mut i32) (i32.const 4))
  (export "0" (func 8)))
