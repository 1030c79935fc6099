;; fs-override: mov eax, fs:[ebx+8]; mov [esi+4], eax: FS (not flat) checked, DS (flat) not
;; 2 instructions, 721 bytes of wasm, ends: untranslated f4 f4 f4
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
    i32.load offset=4108 align=1
    local.set 6
    i32.const 0
    i32.load offset=4120 align=1
    local.set 9
    i32.const 0
    i32.load offset=9699332 align=1
    local.set 17
    i32.const 0
    i32.load offset=9699336 align=1
    local.set 18
    i32.const 0
    i32.load offset=4392 align=1
    local.set 64
    i32.const 0
    i32.load offset=4484 align=1
    local.set 51
    i32.const 0
    i32.load offset=4496 align=1
    local.set 52
    i32.const 0
    i32.load offset=4500 align=1
    local.set 53
    i32.const 0
    i32.load offset=4504 align=1
    local.set 54
    i32.const 0
    i32.load offset=4508 align=1
    local.set 55
    block  ;; label = @1
      block  ;; label = @2
        i32.const 0
        i32.load offset=4784 align=1
        i32.const 8
        i32.and
        i32.const 8
        i32.ne
        if  ;; label = @3
          local.get 2
          local.set 21
          i32.const 1073741824
          local.set 1
          br 1 (;@2;)
        end
        loop  ;; label = @3
          local.get 6
          i32.const 8
          i32.add
          local.tee 29
          local.get 51
          i32.add
          local.set 30
          block (result i32)  ;; label = @4
            block  ;; label = @5
              local.get 29
              local.get 52
              i32.lt_u
              br_if 0 (;@5;)
              local.get 29
              i64.extend_i32_u
              i64.const 3
              i64.add
              local.get 53
              i64.extend_i32_u
              i64.gt_u
              br_if 0 (;@5;)
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
            local.set 21
            local.get 1
            i32.const 1073741824
            i32.add
            local.set 1
            br 2 (;@2;)
          end
          local.set 23
          local.get 23
          local.set 3
          local.get 3
          local.set 23
          local.get 9
          i32.const 4
          i32.add
          local.tee 29
          local.set 30
          block  ;; label = @4
            block  ;; label = @5
              local.get 30
              i32.const 12
              i32.shr_u
              i32.const 2
              i32.shl
              i32.load offset=5242880 align=1
              local.tee 28
              local.get 18
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
              local.get 23
              i32.store align=1
              br 1 (;@4;)
            end
            local.get 2
            i32.const 4
            i32.add
            local.set 21
            local.get 1
            i32.const 1073741825
            i32.add
            local.set 1
            br 2 (;@2;)
          end
          local.get 2
          i32.const 7
          i32.add
          local.set 21
          local.get 1
          i32.const 2
          i32.add
          local.set 1
          i32.const 1048839
          local.set 62
          i32.const 9781312
          local.set 63
        end
      end
      i32.const 0
      local.get 3
      i32.store offset=4096 align=1
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
        block  ;; label = @3
          local.get 63
          local.tee 23
          i32.load align=1
          local.get 62
          i32.eq
          br_if 0 (;@3;)
          local.get 23
          i32.const 16
          i32.add
          local.tee 23
          i32.load align=1
          local.get 62
          i32.eq
          br_if 0 (;@3;)
          local.get 23
          i32.const 16
          i32.add
          local.tee 23
          i32.load align=1
          local.get 62
          i32.eq
          br_if 0 (;@3;)
          local.get 23
          i32.const 16
          i32.add
          local.tee 23
          i32.load align=1
          local.get 62
          i32.ne
          br_if 1 (;@2;)
        end
        local.get 23
        i32.load offset=4 align=1
        local.tee 24
        i32.eqz
        br_if 0 (;@2;)
        local.get 23
        i32.load offset=12 align=1
        i32.const 196608
        i32.and
        i32.const 0
        i32.ne
        br_if 0 (;@2;)
        local.get 1
        local.get 23
        i32.load offset=8 align=1
        i32.add
        local.get 0
        i32.gt_u
        br_if 0 (;@2;)
        local.get 64
        i32.const -1
        i32.ne
        br_if 0 (;@2;)
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
    local.get 3
    i32.store offset=4096 align=1
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
  (export "0" (func 8)))
