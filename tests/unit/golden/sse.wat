;; sse: paddd xmm0, xmm1; pxor xmm2, xmm2: computed in place
;; 2 instructions, 756 bytes of wasm, ends: untranslated f4 f4 f4
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
    i32.load offset=4392 align=1
    local.set 64
    i32.const 0
    i32.load offset=9699384 align=1
    i32.const 0
    i32.const 0
    i32.load offset=4624 align=1
    i32.const 12
    i32.and
    i32.eqz
    i32.const 0
    i32.load offset=4636 align=1
    i32.const 512
    i32.and
    i32.const 0
    i32.ne
    i32.and
    select
    local.set 66
    block  ;; label = @1
      block  ;; label = @2
        loop  ;; label = @3
          local.get 66
          i32.const 16
          i32.and
          i32.const 0
          i32.ne
          if  ;; label = @4
            i32.const 0
            i32.const 0
            v128.load offset=5760 align=1
            i32.const 0
            v128.load offset=5776 align=1
            i32x4.add
            v128.store offset=5760 align=1
          else
            i32.const 0
            local.get 3
            i32.store offset=4096 align=1
            i32.const 0
            local.get 4
            i32.store offset=4100 align=1
            i32.const 0
            i32.const 0
            i32.load offset=9699368 align=1
            local.get 1
            i32.add
            i32.store offset=9699380 align=1
            local.get 2
            call 5
            local.set 61
            i32.const 0
            i32.load offset=4096 align=1
            local.set 3
            i32.const 0
            i32.load offset=4100 align=1
            local.set 4
            local.get 61
            i32.const 1
            i32.eq
            if  ;; label = @5
              i32.const 0
              local.set 19
              i32.const 0
              local.set 20
              br 4 (;@1;)
            end
            local.get 61
            i32.const 2
            i32.eq
            if  ;; label = @5
              i32.const 1
              local.set 22
            end
          end
          local.get 22
          if  ;; label = @4
            local.get 2
            i32.const 4
            i32.add
            local.set 21
            local.get 1
            i32.const 1
            i32.add
            local.set 1
            br 2 (;@2;)
          end
          local.get 66
          i32.const 16
          i32.and
          i32.const 0
          i32.ne
          if  ;; label = @4
            i32.const 0
            i32.const 0
            v128.load offset=5792 align=1
            i32.const 0
            v128.load offset=5792 align=1
            v128.xor
            v128.store offset=5792 align=1
          else
            i32.const 0
            local.get 5
            i32.store offset=4104 align=1
            i32.const 0
            i32.const 0
            i32.load offset=9699368 align=1
            local.get 1
            i32.add
            i32.const 1
            i32.add
            i32.store offset=9699380 align=1
            local.get 2
            i32.const 4
            i32.add
            call 5
            local.set 61
            i32.const 0
            i32.load offset=4104 align=1
            local.set 5
            local.get 61
            i32.const 1
            i32.eq
            if  ;; label = @5
              i32.const 4
              local.set 19
              i32.const 1
              local.set 20
              br 4 (;@1;)
            end
            local.get 61
            i32.const 2
            i32.eq
            if  ;; label = @5
              i32.const 1
              local.set 22
            end
          end
          local.get 2
          i32.const 8
          i32.add
          local.set 21
          local.get 1
          i32.const 2
          i32.add
          local.set 1
          i32.const 1048840
          local.set 62
          i32.const 10105344
          local.set 63
        end
      end
      i32.const 0
      local.get 3
      i32.store offset=4096 align=1
      i32.const 0
      local.get 4
      i32.store offset=4100 align=1
      i32.const 0
      local.get 5
      i32.store offset=4104 align=1
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
    local.get 4
    i32.store offset=4100 align=1
    i32.const 0
    local.get 5
    i32.store offset=4104 align=1
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
