;; minikeras WebAssembly SIMD128 kernels (hand-written; assembled by scripts/build-wasm.mjs with wabt).
;;
;; sgemm: C[m,n] (+)= op(A)[m,k] · op(B)[k,n] in float32, GotoBLAS/BLIS structure:
;;   for each NC-wide column block of B, for each KC-deep slice of K:
;;     pack the B block (or, for row-major B, only its ragged last 8-column panel) into NR=8-wide panels,
;;     for each MC-tall row block of A:
;;       pack the A block into MR=4-tall panels (zero-padded past m),
;;       for each 8-column panel, for each 4-row panel: the 4x8 micro-kernel over the whole KC slice.
;; Transposes are absorbed by the packing routines, which read op(A)(i,p) at a + i*rsA + p*csA and
;; op(B)(p,j) at b + p*rsB + j*csB (byte strides), so the micro-kernel always sees the same layout.
;; The micro-kernel keeps the 4x8 tile of C in eight f32x4 locals for the whole K slice (register tiling):
;; per step one 32-byte row of B, four splatted A values, eight mul+add pairs. Plain SIMD128 only: the
;; relaxed-SIMD fused multiply-add would need a flag in Node 20.
;;
;; Memory map (chosen by the JS loader): bytes [0, 128) are the spill area for ragged edge tiles; the
;; loader places the pack buffers and the copied operands above it and grows the memory as needed.

(module
  (memory (export "memory") 1)

  ;; The 4x8 micro-kernel. ap: packed A panel (16 bytes per k step); bp: B panel rows of 8 floats, ldb
  ;; bytes apart (32 when packed, the row pitch of B when read in place); cp: C tile, ldc bytes per row.
  ;; Only mr x nr of the tile is stored (edge tiles); overwrite=1 stores, 0 adds to C.
  (func $kernel4x8 (param $ap i32) (param $bp i32) (param $ldb i32) (param $kc i32)
                   (param $cp i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $overwrite i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $a v128)
    (local $r i32) (local $j i32) (local $src i32) (local $dst i32) (local $x f32)
    ;; v128 locals start at zero.
    (if (local.get $kc)
      (then
        (loop $k
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $a (v128.load32_splat (local.get $ap)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=4 (local.get $ap)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=8 (local.get $ap)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $a (v128.load32_splat offset=12 (local.get $ap)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (i32.const 16)))
          (local.set $bp (i32.add (local.get $bp) (local.get $ldb)))
          (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))))
    (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $nr) (i32.const 8)))
      (then
        (if (i32.eqz (local.get $overwrite))
          (then
            (local.set $c00 (f32x4.add (local.get $c00) (v128.load (local.get $cp))))
            (local.set $c01 (f32x4.add (local.get $c01) (v128.load offset=16 (local.get $cp))))
            (local.set $dst (i32.add (local.get $cp) (local.get $ldc)))
            (local.set $c10 (f32x4.add (local.get $c10) (v128.load (local.get $dst))))
            (local.set $c11 (f32x4.add (local.get $c11) (v128.load offset=16 (local.get $dst))))
            (local.set $dst (i32.add (local.get $dst) (local.get $ldc)))
            (local.set $c20 (f32x4.add (local.get $c20) (v128.load (local.get $dst))))
            (local.set $c21 (f32x4.add (local.get $c21) (v128.load offset=16 (local.get $dst))))
            (local.set $dst (i32.add (local.get $dst) (local.get $ldc)))
            (local.set $c30 (f32x4.add (local.get $c30) (v128.load (local.get $dst))))
            (local.set $c31 (f32x4.add (local.get $c31) (v128.load offset=16 (local.get $dst))))))
        (v128.store (local.get $cp) (local.get $c00))
        (v128.store offset=16 (local.get $cp) (local.get $c01))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c10))
        (v128.store offset=16 (local.get $cp) (local.get $c11))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c20))
        (v128.store offset=16 (local.get $cp) (local.get $c21))
        (local.set $cp (i32.add (local.get $cp) (local.get $ldc)))
        (v128.store (local.get $cp) (local.get $c30))
        (v128.store offset=16 (local.get $cp) (local.get $c31))
        (return)))
    ;; Ragged tile: spill the accumulators to [0, 128) (row r at byte 32r) and store the valid part.
    (v128.store offset=0 (i32.const 0) (local.get $c00))
    (v128.store offset=16 (i32.const 0) (local.get $c01))
    (v128.store offset=32 (i32.const 0) (local.get $c10))
    (v128.store offset=48 (i32.const 0) (local.get $c11))
    (v128.store offset=64 (i32.const 0) (local.get $c20))
    (v128.store offset=80 (i32.const 0) (local.get $c21))
    (v128.store offset=96 (i32.const 0) (local.get $c30))
    (v128.store offset=112 (i32.const 0) (local.get $c31))
    (local.set $r (i32.const 0))
    (loop $rows
      (local.set $src (i32.shl (local.get $r) (i32.const 5)))
      (local.set $dst (i32.add (local.get $cp) (i32.mul (local.get $r) (local.get $ldc))))
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $x (f32.load (local.get $src)))
        (if (i32.eqz (local.get $overwrite))
          (then (local.set $x (f32.add (f32.load (local.get $dst)) (local.get $x)))))
        (f32.store (local.get $dst) (local.get $x))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (br_if $cols (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nr))))
      (br_if $rows (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $mr)))))

  ;; Transposes the 4x4 block whose rows are 16 bytes at src, src+stride, ...: column t of the block is
  ;; stored as 4 floats at dst + t*dstStride.
  (func $transpose4 (param $src i32) (param $stride i32) (param $dst i32) (param $dstStride i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r0 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $stride)))
    (local.set $r1 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $stride)))
    (local.set $r2 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $stride)))
    (local.set $r3 (v128.load (local.get $src)))
    ;; Interleave pairs of rows (unpcklps / unpckhps), then pair up 64-bit halves (movlhps / movhlps).
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
    (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
    (local.set $dst (i32.add (local.get $dst) (local.get $dstStride)))
    (v128.store (local.get $dst)
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3))))

  ;; Packs op(A)[0:mc, 0:kc] (element (i,p) at src + i*rs + p*cs) into 4-row panels: panel q holds, for
  ;; each p, the 4 values of rows 4q..4q+3 (16 bytes), rows past mc zero-filled.
  (func $packA (param $src i32) (param $rs i32) (param $cs i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $i i32) (local $p i32) (local $s i32) (local $rows i32) (local $r i32)
    (loop $panels
      (local.set $rows (i32.sub (local.get $mc) (local.get $i)))
      (if (i32.gt_u (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs))))
      (local.set $p (local.get $kc))
      (if (i32.eq (local.get $rows) (i32.const 4))
        (then
          (if (i32.eq (local.get $rs) (i32.const 4))
            (then
              ;; Transposed A: the 4 rows are adjacent in memory, one vector per k step.
              (loop $p4
                (v128.store (local.get $dst) (v128.load (local.get $s)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $s (i32.add (local.get $s) (local.get $cs)))
                (br_if $p4 (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
            (else
              (if (i32.eq (local.get $cs) (i32.const 4))
                (then
                  ;; Row-major A: 4x4 blocks transposed in registers.
                  (block $t4done
                    (loop $t4
                      (br_if $t4done (i32.lt_u (local.get $p) (i32.const 4)))
                      (call $transpose4 (local.get $s) (local.get $rs) (local.get $dst) (i32.const 16))
                      (local.set $s (i32.add (local.get $s) (i32.const 16)))
                      (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                      (local.set $p (i32.sub (local.get $p) (i32.const 4)))
                      (br $t4)))))
              (if (local.get $p) (then
              (loop $p4s
                (f32.store offset=0 (local.get $dst) (f32.load (local.get $s)))
                (f32.store offset=4 (local.get $dst) (f32.load (i32.add (local.get $s) (local.get $rs))))
                (f32.store offset=8 (local.get $dst)
                  (f32.load (i32.add (local.get $s) (i32.shl (local.get $rs) (i32.const 1)))))
                (f32.store offset=12 (local.get $dst)
                  (f32.load (i32.add (local.get $s) (i32.mul (local.get $rs) (i32.const 3)))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (local.set $s (i32.add (local.get $s) (local.get $cs)))
                (br_if $p4s (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))))))
        (else
          (loop $pe
            (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $r (i32.const 0))
            (loop $re
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2)))
                (f32.load (i32.add (local.get $s) (i32.mul (local.get $r) (local.get $rs)))))
              (br_if $re (i32.lt_u (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
            (local.set $s (i32.add (local.get $s) (local.get $cs)))
            (br_if $pe (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))
      (br_if $panels (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 4))) (local.get $mc)))))

  ;; Packs op(B)[0:kc, 0:nc] (element (p,j) at src + p*rs + j*cs) into 8-column panels: panel q holds, for
  ;; each p, the 8 values of columns 8q..8q+7 (32 bytes), columns past nc zero-filled.
  (func $packB (param $src i32) (param $rs i32) (param $cs i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $j i32) (local $p i32) (local $s i32) (local $cols i32) (local $q i32) (local $t i32)
    (loop $panels
      (local.set $cols (i32.sub (local.get $nc) (local.get $j)))
      (if (i32.gt_u (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $cs))))
      (local.set $p (local.get $kc))
      (if (i32.and (i32.eq (local.get $cols) (i32.const 8)) (i32.eq (local.get $cs) (i32.const 4)))
        (then
          (loop $p8
            (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
            (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $s (i32.add (local.get $s) (local.get $rs)))
            (br_if $p8 (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))
        (else
          (if (i32.eq (local.get $cols) (i32.const 8))
            (then
              ;; Transposed B: the 8 columns are 8 rows of storage, cs bytes apart; with K contiguous (rs=4),
              ;; two 4x4 blocks transposed in registers per 4 steps of K.
              (if (i32.eq (local.get $rs) (i32.const 4))
                (then
                  (block $t8done
                    (loop $t8
                      (br_if $t8done (i32.lt_u (local.get $p) (i32.const 4)))
                      (call $transpose4 (local.get $s) (local.get $cs) (local.get $dst) (i32.const 32))
                      (call $transpose4 (i32.add (local.get $s) (i32.shl (local.get $cs) (i32.const 2))) (local.get $cs)
                        (i32.add (local.get $dst) (i32.const 16)) (i32.const 32))
                      (local.set $s (i32.add (local.get $s) (i32.const 16)))
                      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                      (local.set $p (i32.sub (local.get $p) (i32.const 4)))
                      (br $t8)))))
              (if (local.get $p) (then
              (loop $p8s
                (local.set $t (local.get $s))
                (f32.store offset=0 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=4 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=8 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=12 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=16 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=20 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=24 (local.get $dst) (f32.load (local.get $t)))
                (local.set $t (i32.add (local.get $t) (local.get $cs)))
                (f32.store offset=28 (local.get $dst) (f32.load (local.get $t)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $s (i32.add (local.get $s) (local.get $rs)))
                (br_if $p8s (local.tee $p (i32.sub (local.get $p) (i32.const 1))))))))
            (else
              (loop $pe
                (v128.store offset=0 (local.get $dst) (v128.const i32x4 0 0 0 0))
                (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
                (local.set $q (i32.const 0))
                (local.set $t (local.get $s))
                (loop $qe
                  (f32.store (i32.add (local.get $dst) (i32.shl (local.get $q) (i32.const 2)))
                    (f32.load (local.get $t)))
                  (local.set $t (i32.add (local.get $t) (local.get $cs)))
                  (br_if $qe (i32.lt_u (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $cols))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $s (i32.add (local.get $s) (local.get $rs)))
                (br_if $pe (local.tee $p (i32.sub (local.get $p) (i32.const 1)))))))))
      (br_if $panels (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 8))) (local.get $nc)))))

  ;; C (row-major [m,n] at c) (+)= op(A) · op(B); m, k, n >= 1. Byte strides as described above.
  ;; packAllB=0 lets the micro-kernel read full 8-column panels of a row-major B (csB=4) in place, which
  ;; saves the packing pass when few rows of A reuse each panel; otherwise every B block is packed.
  ;; packA/packB: pack buffers of mcBlk*kcBlk and kcBlk*ncBlk floats (mcBlk a multiple of 4, ncBlk of 8).
  (func (export "sgemm")
    (param $m i32) (param $k i32) (param $n i32)
    (param $a i32) (param $rsA i32) (param $csA i32)
    (param $b i32) (param $rsB i32) (param $csB i32)
    (param $c i32) (param $accumulate i32)
    (param $packA i32) (param $packB i32) (param $packAllB i32)
    (param $mcBlk i32) (param $kcBlk i32) (param $ncBlk i32)
    (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32)
    (local $jr i32) (local $nr i32) (local $ir i32) (local $mr i32)
    (local $overwrite i32) (local $bBlock i32) (local $bp i32) (local $ldb i32) (local $ragged i32)
    (local $ldc i32) (local $cRow i32) (local $panelA i32)
    (local.set $ldc (i32.shl (local.get $n) (i32.const 2)))
    (if (i32.ne (local.get $csB) (i32.const 4)) (then (local.set $packAllB (i32.const 1))))
    (loop $jcLoop
      (local.set $nc (i32.sub (local.get $n) (local.get $jc)))
      (if (i32.gt_u (local.get $nc) (local.get $ncBlk)) (then (local.set $nc (local.get $ncBlk))))
      (local.set $pc (i32.const 0))
      (loop $pcLoop
        (local.set $kc (i32.sub (local.get $k) (local.get $pc)))
        (if (i32.gt_u (local.get $kc) (local.get $kcBlk)) (then (local.set $kc (local.get $kcBlk))))
        (local.set $overwrite (i32.and (i32.eqz (local.get $pc)) (i32.eqz (local.get $accumulate))))
        (local.set $bBlock (i32.add (local.get $b)
          (i32.add (i32.mul (local.get $pc) (local.get $rsB)) (i32.mul (local.get $jc) (local.get $csB)))))
        (local.set $ragged (i32.and (local.get $nc) (i32.const 7)))
        (if (local.get $packAllB)
          (then (call $packB (local.get $bBlock) (local.get $rsB) (local.get $csB) (local.get $kc) (local.get $nc) (local.get $packB)))
          (else
            (if (local.get $ragged)
              (then (call $packB
                (i32.add (local.get $bBlock) (i32.shl (i32.sub (local.get $nc) (local.get $ragged)) (i32.const 2)))
                (local.get $rsB) (local.get $csB) (local.get $kc) (local.get $ragged) (local.get $packB))))))
        (local.set $ic (i32.const 0))
        (loop $icLoop
          (local.set $mc (i32.sub (local.get $m) (local.get $ic)))
          (if (i32.gt_u (local.get $mc) (local.get $mcBlk)) (then (local.set $mc (local.get $mcBlk))))
          (call $packA
            (i32.add (local.get $a)
              (i32.add (i32.mul (local.get $ic) (local.get $rsA)) (i32.mul (local.get $pc) (local.get $csA))))
            (local.get $rsA) (local.get $csA) (local.get $mc) (local.get $kc) (local.get $packA))
          (local.set $jr (i32.const 0))
          (loop $jrLoop
            (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))
            (if (i32.gt_u (local.get $nr) (i32.const 8)) (then (local.set $nr (i32.const 8))))
            (if (local.get $packAllB)
              (then
                ;; Panel jr/8 of kc rows of 32 bytes.
                (local.set $bp (i32.add (local.get $packB) (i32.mul (i32.shl (local.get $jr) (i32.const 2)) (local.get $kc))))
                (local.set $ldb (i32.const 32)))
              (else
                (if (i32.eq (local.get $nr) (i32.const 8))
                  (then
                    (local.set $bp (i32.add (local.get $bBlock) (i32.shl (local.get $jr) (i32.const 2))))
                    (local.set $ldb (local.get $rsB)))
                  (else
                    (local.set $bp (local.get $packB))
                    (local.set $ldb (i32.const 32))))))
            (local.set $cRow (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $ic) (local.get $ldc)) (i32.shl (i32.add (local.get $jc) (local.get $jr)) (i32.const 2)))))
            (local.set $panelA (local.get $packA))
            (local.set $ir (i32.const 0))
            (loop $irLoop
              (local.set $mr (i32.sub (local.get $mc) (local.get $ir)))
              (if (i32.gt_u (local.get $mr) (i32.const 4)) (then (local.set $mr (i32.const 4))))
              (call $kernel4x8 (local.get $panelA) (local.get $bp) (local.get $ldb) (local.get $kc)
                (local.get $cRow) (local.get $ldc) (local.get $mr) (local.get $nr) (local.get $overwrite))
              (local.set $panelA (i32.add (local.get $panelA) (i32.shl (local.get $kc) (i32.const 4))))
              (local.set $cRow (i32.add (local.get $cRow) (i32.shl (local.get $ldc) (i32.const 2))))
              (br_if $irLoop (i32.lt_u (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mc))))
            (br_if $jrLoop (i32.lt_u (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc))))
          (br_if $icLoop (i32.lt_u (local.tee $ic (i32.add (local.get $ic) (local.get $mcBlk))) (local.get $m))))
        (br_if $pcLoop (i32.lt_u (local.tee $pc (i32.add (local.get $pc) (local.get $kcBlk))) (local.get $k))))
      (br_if $jcLoop (i32.lt_u (local.tee $jc (i32.add (local.get $jc) (local.get $ncBlk))) (local.get $n)))))

  ;; Adam / AdamW / AMSGrad step over n floats, in place, float32 arithmetic (as Keras does on float32
  ;; variables), four elements per iteration:
  ;;   g' = g*gscale; m += (g' - m)*a1; v += (g'^2 - v)*a2; [vhat = max(vhat, v)];
  ;;   p = p*keep - alpha*m / (sqrt(v or vhat) + eps)
  ;; The loader pads every array to a multiple of 4 floats, so there is no scalar tail: pad lanes compute
  ;; garbage that is never copied back. vhat = 0 means no AMSGrad slot.
  (func (export "adamUpdate") (param $n i32) (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $vhat i32)
    (param $alpha f32) (param $a1 f32) (param $a2 f32) (param $eps f32) (param $keep f32) (param $gscale f32)
    (local $i i32) (local $end i32)
    (local $va1 v128) (local $va2 v128) (local $valpha v128) (local $veps v128) (local $vkeep v128) (local $vgs v128)
    (local $gi v128) (local $mi v128) (local $vi v128)
    (local.set $va1 (f32x4.splat (local.get $a1)))
    (local.set $va2 (f32x4.splat (local.get $a2)))
    (local.set $valpha (f32x4.splat (local.get $alpha)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vkeep (f32x4.splat (local.get $keep)))
    (local.set $vgs (f32x4.splat (local.get $gscale)))
    (local.set $end (i32.shl (i32.and (i32.add (local.get $n) (i32.const 3)) (i32.const -4)) (i32.const 2)))
    (if (i32.eqz (local.get $end)) (then (return)))
    (loop $elements
      (local.set $gi (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $vgs)))
      (local.set $mi (v128.load (i32.add (local.get $m) (local.get $i))))
      (local.set $mi (f32x4.add (local.get $mi) (f32x4.mul (f32x4.sub (local.get $gi) (local.get $mi)) (local.get $va1))))
      (local.set $vi (v128.load (i32.add (local.get $v) (local.get $i))))
      (local.set $vi (f32x4.add (local.get $vi)
        (f32x4.mul (f32x4.sub (f32x4.mul (local.get $gi) (local.get $gi)) (local.get $vi)) (local.get $va2))))
      (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
      (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
      (if (local.get $vhat)
        (then
          (local.set $vi (f32x4.max (v128.load (i32.add (local.get $vhat) (local.get $i))) (local.get $vi)))
          (v128.store (i32.add (local.get $vhat) (local.get $i)) (local.get $vi))))
      (v128.store (i32.add (local.get $p) (local.get $i))
        (f32x4.sub
          (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $i))) (local.get $vkeep))
          (f32x4.div (f32x4.mul (local.get $mi) (local.get $valpha))
            (f32x4.add (f32x4.sqrt (local.get $vi)) (local.get $veps)))))
      (br_if $elements (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get $end)))))

  ;; exp(x) in four lanes, as Cephes' expf: x clamped to [-87.3, 88] (so 2^n stays a normal float),
  ;; x = n·ln2 + r with n = nearest(x·log2(e)) and ln2 split in two for an exact reduction, exp(r) by
  ;; Cephes' degree-6 polynomial, 2^n assembled in the exponent bits. About 2 ulp.
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (f32x4.splat (f32.const -87.3))) (f32x4.splat (f32.const 88))))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (f32x4.splat (f32.const 1.44269504088896341)))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; sigmoid(x) = 1 / (1 + exp(-x)) in four lanes.
  (func $sigmoid4 (param $x v128) (result v128)
    (f32x4.div (f32x4.splat (f32.const 1)) (f32x4.add (f32x4.splat (f32.const 1)) (call $exp4 (f32x4.neg (local.get $x))))))

  ;; tanh(x) in four lanes: Eigen's float32 rational approximation (generic_fast_tanh_float), what
  ;; TensorFlow's CPU kernels compute: x clamped to +-7.9053111, a 13/6 odd/even rational, x itself below 4e-4.
  (func $tanh4 (param $x v128) (result v128)
    (local $y v128) (local $x2 v128) (local $p v128) (local $q v128)
    (local.set $y (f32x4.min (f32x4.max (local.get $x) (f32x4.splat (f32.const -7.90531110763549805)))
      (f32x4.splat (f32.const 7.90531110763549805))))
    (local.set $x2 (f32x4.mul (local.get $y) (local.get $y)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (f32x4.splat (f32.const -2.76076847742355e-16))) (f32x4.splat (f32.const 2.00018790482477e-13))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (f32x4.splat (f32.const -8.60467152213735e-11))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (f32x4.splat (f32.const 5.12229709037114e-08))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (f32x4.splat (f32.const 1.48572235717979e-05))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (f32x4.splat (f32.const 6.37261928875436e-04))))
    (local.set $p (f32x4.mul (local.get $y) (f32x4.add (f32x4.mul (local.get $x2) (local.get $p)) (f32x4.splat (f32.const 4.89352455891786e-03)))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (f32x4.splat (f32.const 1.19825839466702e-06))) (f32x4.splat (f32.const 1.18534705686654e-04))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (local.get $q)) (f32x4.splat (f32.const 2.26843463243900e-03))))
    (local.set $q (f32x4.add (f32x4.mul (local.get $x2) (local.get $q)) (f32x4.splat (f32.const 4.89352518554385e-03))))
    (v128.bitselect (local.get $x) (f32x4.div (local.get $p) (local.get $q))
      (f32x4.lt (f32x4.abs (local.get $x)) (f32x4.splat (f32.const 0.0004)))))

  ;; One LSTM step's gate math (tanh / sigmoid, Keras gate order i, f, c, o) over rows x units, units a
  ;; multiple of 4: z [rows, 4·units] holds the pre-activations and becomes i, f, g = tanh(z_c), o in place;
  ;; c = f·cPrev + i·g and h = o·tanh(c), all [rows, units]. Pointers are byte offsets.
  (func (export "lstmGates") (param $rows i32) (param $units i32) (param $z i32) (param $cPrev i32) (param $c i32) (param $h i32)
    (local $row i32) (local $j i32) (local $ub i32) (local $zj i32)
    (local $ig v128) (local $fg v128) (local $gg v128) (local $og v128) (local $cv v128)
    (local.set $ub (i32.shl (local.get $units) (i32.const 2)))
    (loop $rowLoop
      (local.set $j (i32.const 0))
      (loop $unitLoop
        (local.set $zj (i32.add (local.get $z) (local.get $j)))
        (local.set $ig (call $sigmoid4 (v128.load (local.get $zj))))
        (v128.store (local.get $zj) (local.get $ig))
        (local.set $zj (i32.add (local.get $zj) (local.get $ub)))
        (local.set $fg (call $sigmoid4 (v128.load (local.get $zj))))
        (v128.store (local.get $zj) (local.get $fg))
        (local.set $zj (i32.add (local.get $zj) (local.get $ub)))
        (local.set $gg (call $tanh4 (v128.load (local.get $zj))))
        (v128.store (local.get $zj) (local.get $gg))
        (local.set $zj (i32.add (local.get $zj) (local.get $ub)))
        (local.set $og (call $sigmoid4 (v128.load (local.get $zj))))
        (v128.store (local.get $zj) (local.get $og))
        (local.set $cv (f32x4.add (f32x4.mul (local.get $fg) (v128.load (i32.add (local.get $cPrev) (local.get $j))))
          (f32x4.mul (local.get $ig) (local.get $gg))))
        (v128.store (i32.add (local.get $c) (local.get $j)) (local.get $cv))
        (v128.store (i32.add (local.get $h) (local.get $j)) (f32x4.mul (local.get $og) (call $tanh4 (local.get $cv))))
        (br_if $unitLoop (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $ub))))
      (local.set $z (i32.add (local.get $z) (i32.shl (local.get $ub) (i32.const 2))))
      (local.set $cPrev (i32.add (local.get $cPrev) (local.get $ub)))
      (local.set $c (i32.add (local.get $c) (local.get $ub)))
      (local.set $h (i32.add (local.get $h) (local.get $ub)))
      (br_if $rowLoop (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $rows)))))

  ;; Backward of lstmGates over rows x units (units % 4 === 0): from the activated gates z = [i, f, g, o],
  ;; cPrev, c and dh = dL/dh, writes dz = dL/d(pre-activations) [rows, 4·units] and turns dc from dL/dc
  ;; into dL/dcPrev in place:
  ;;   dct = dc + dh·o·(1 - tanh(c)^2); dz = [dct·g·i(1-i), dct·cPrev·f(1-f), dct·i·(1-g^2), dh·tanh(c)·o(1-o)];
  ;;   dc = dct·f.
  (func (export "lstmGatesBackward") (param $rows i32) (param $units i32) (param $z i32) (param $cPrev i32) (param $c i32)
    (param $dh i32) (param $dc i32) (param $dz i32)
    (local $row i32) (local $j i32) (local $ub i32) (local $zj i32) (local $dj i32)
    (local $ig v128) (local $fg v128) (local $gg v128) (local $og v128) (local $tc v128) (local $gh v128) (local $dct v128)
    (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $ub (i32.shl (local.get $units) (i32.const 2)))
    (loop $rowLoop
      (local.set $j (i32.const 0))
      (loop $unitLoop
        (local.set $zj (i32.add (local.get $z) (local.get $j)))
        (local.set $ig (v128.load (local.get $zj)))
        (local.set $fg (v128.load (i32.add (local.get $zj) (local.get $ub))))
        (local.set $gg (v128.load (i32.add (local.get $zj) (i32.shl (local.get $ub) (i32.const 1)))))
        (local.set $og (v128.load (i32.add (local.get $zj) (i32.mul (local.get $ub) (i32.const 3)))))
        (local.set $tc (call $tanh4 (v128.load (i32.add (local.get $c) (local.get $j)))))
        (local.set $gh (v128.load (i32.add (local.get $dh) (local.get $j))))
        (local.set $dct (f32x4.add (v128.load (i32.add (local.get $dc) (local.get $j)))
          (f32x4.mul (f32x4.mul (local.get $gh) (local.get $og))
            (f32x4.sub (local.get $one) (f32x4.mul (local.get $tc) (local.get $tc))))))
        (local.set $dj (i32.add (local.get $dz) (local.get $j)))
        (v128.store (local.get $dj)
          (f32x4.mul (f32x4.mul (local.get $dct) (local.get $gg))
            (f32x4.mul (local.get $ig) (f32x4.sub (local.get $one) (local.get $ig)))))
        (local.set $dj (i32.add (local.get $dj) (local.get $ub)))
        (v128.store (local.get $dj)
          (f32x4.mul (f32x4.mul (local.get $dct) (v128.load (i32.add (local.get $cPrev) (local.get $j))))
            (f32x4.mul (local.get $fg) (f32x4.sub (local.get $one) (local.get $fg)))))
        (local.set $dj (i32.add (local.get $dj) (local.get $ub)))
        (v128.store (local.get $dj)
          (f32x4.mul (f32x4.mul (local.get $dct) (local.get $ig))
            (f32x4.sub (local.get $one) (f32x4.mul (local.get $gg) (local.get $gg)))))
        (local.set $dj (i32.add (local.get $dj) (local.get $ub)))
        (v128.store (local.get $dj)
          (f32x4.mul (f32x4.mul (local.get $gh) (local.get $tc))
            (f32x4.mul (local.get $og) (f32x4.sub (local.get $one) (local.get $og)))))
        (v128.store (i32.add (local.get $dc) (local.get $j)) (f32x4.mul (local.get $dct) (local.get $fg)))
        (br_if $unitLoop (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (local.get $ub))))
      (local.set $z (i32.add (local.get $z) (i32.shl (local.get $ub) (i32.const 2))))
      (local.set $dz (i32.add (local.get $dz) (i32.shl (local.get $ub) (i32.const 2))))
      (local.set $cPrev (i32.add (local.get $cPrev) (local.get $ub)))
      (local.set $c (i32.add (local.get $c) (local.get $ub)))
      (local.set $dh (i32.add (local.get $dh) (local.get $ub)))
      (local.set $dc (i32.add (local.get $dc) (local.get $ub)))
      (br_if $rowLoop (i32.lt_u (local.tee $row (i32.add (local.get $row) (i32.const 1))) (local.get $rows)))))
)
