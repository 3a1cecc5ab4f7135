#include "BF16GEMM.h"
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The arithmetic, fixed so that the fast kernel and the emulation agree to the bit:
   - each input is rounded to bfloat16 to nearest even; a float32 denormal becomes a signed
     zero and a NaN stays a quiet NaN (what VCVTNE2PS2BF16 does);
   - k runs in pairs (k, k+1), in order from 0; an odd k is padded with a zero pair member;
     the sum starts at zero, or at C's value when accumulating (a bias already in C);
   - each pair adds the product of its odd members, then of its even members, to the float32
     sum, each addition rounded to nearest even, denormals read and written as zero (what
     VDPBF16PS does; measured on this CPU against 2 million random pairs).
   So the result depends on k's order alone, never on blocking, tiles or threads. */

enum { MR = 12, NR = 32, KC = 256, MC = 120, NC = 1024 };

static inline uint16_t to_bf16(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    if ((u & 0x7f800000u) == 0) return (uint16_t)((u >> 16) & 0x8000);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline uint32_t pair_word(float even, float odd) { return (uint32_t)to_bf16(even) | ((uint32_t)to_bf16(odd) << 16); }

/* An operand seen as `lines` (rows of A or columns of B) crossed with k: element (line, kk)
   sits at base[line * line_step + kk * k_step]. */
typedef struct { const float *base; long line_step, k_step; int k; } operand;

static inline float at(operand o, int line, int kk) { return kk < o.k ? o.base[(long)line * o.line_step + (long)kk * o.k_step] : 0.f; }

/* Packs lines [first, first+count) and k-pairs [p0, p0+pc) into panel words out[p*width + line],
   zero beyond `count`. The reference packer: the fast ones below write the same words. */
static void pack_any(operand o, int first, int count, int width, int p0, int pc, uint32_t *out) {
    for (int p = 0; p < pc; p++) {
        int kk = 2 * (p0 + p);
        for (int l = 0; l < width; l++)
            out[p * width + l] = l < count ? pair_word(at(o, first + l, kk), at(o, first + l, kk + 1)) : 0;
    }
}

/* When k is contiguous within a line (A as stored, B transposed), 32 floats of a line convert
   in order into 16 pair words. */
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void pack_k_contiguous(operand o, int first, int count, int width, int p0, int pc, uint32_t *out) {
    int k0 = 2 * p0;
    for (int l = 0; l < width; l++) {
        if (l >= count) { for (int p = 0; p < pc; p++) out[p * width + l] = 0; continue; }
        const float *line = o.base + (long)(first + l) * o.line_step + k0;
        int p = 0;
        for (; p + 16 <= pc && k0 + 2 * p + 32 <= o.k; p += 16) {
            uint32_t words[16];
            _mm512_storeu_si512(words, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(line + 2 * p + 16), _mm512_loadu_ps(line + 2 * p)));
            for (int q = 0; q < 16; q++) out[(p + q) * width + l] = words[q];
        }
        for (; p < pc; p++) out[p * width + l] = pair_word(at(o, first + l, k0 + 2 * p), at(o, first + l, k0 + 2 * p + 1));
    }
}

/* When lines are contiguous for a given k (B as stored), two k-rows of 16 lines convert
   together and interleave into 16 pair words. Full NR-wide panels only. */
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void pack_lines_contiguous(operand o, int first, int count, int width, int p0, int pc, uint32_t *out) {
    if (count < width || width % 16 != 0) { pack_any(o, first, count, width, p0, pc, out); return; }
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int p = 0; p < pc; p++) {
        int kk = 2 * (p0 + p);
        const float *even = o.base + (long)kk * o.k_step + first;
        for (int l = 0; l < width; l += 16) {
            __m512 e = _mm512_loadu_ps(even + l);
            __m512 d = kk + 1 < o.k ? _mm512_loadu_ps(even + o.k_step + l) : _mm512_setzero_ps();
            _mm512_storeu_si512(out + p * width + l, _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(d, e)));
        }
    }
}

static void pack(int native, operand o, int first, int count, int width, int p0, int pc, uint32_t *out) {
    if (!native) pack_any(o, first, count, width, p0, pc, out);
    else if (o.k_step == 1) pack_k_contiguous(o, first, count, width, p0, pc, out);
    else if (o.line_step == 1) pack_lines_contiguous(o, first, count, width, p0, pc, out);
    else pack_any(o, first, count, width, p0, pc, out);
}

/* One MR×NR tile over pc pairs; `first` starts the sums at zero, else continues them from C. */
__attribute__((target("avx512f,avx512bf16")))
static void tile_native(int pc, const uint32_t *a, const uint32_t *b, float *c, int ldc, int mr, int nr, int first) {
    __m512 c0[MR], c1[MR];
    __mmask16 m0 = nr >= 16 ? 0xffff : (__mmask16)((1u << nr) - 1);
    __mmask16 m1 = nr >= 32 ? 0xffff : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);
    _Pragma("GCC unroll 12")
    for (int r = 0; r < MR; r++) {
        if (first || r >= mr) {
            c0[r] = _mm512_setzero_ps();
            c1[r] = _mm512_setzero_ps();
        } else {
            c0[r] = _mm512_maskz_loadu_ps(m0, c + (long)r * ldc);
            c1[r] = _mm512_maskz_loadu_ps(m1, c + (long)r * ldc + 16);
        }
    }
    for (int p = 0; p < pc; p++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + p * NR);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + p * NR + 16);
        const uint32_t *ap = a + p * MR;
        _Pragma("GCC unroll 12")
        for (int r = 0; r < MR; r++) {
            __m512bh av = (__m512bh)_mm512_set1_epi32((int)ap[r]);
            c0[r] = _mm512_dpbf16_ps(c0[r], av, b0);
            c1[r] = _mm512_dpbf16_ps(c1[r], av, b1);
        }
    }
    _Pragma("GCC unroll 12")
    for (int r = 0; r < MR; r++) {
        if (r >= mr) break;
        _mm512_mask_storeu_ps(c + (long)r * ldc, m0, c0[r]);
        _mm512_mask_storeu_ps(c + (long)r * ldc + 16, m1, c1[r]);
    }
}

static inline float flushed(float x) { return fpclassify(x) == FP_SUBNORMAL ? copysignf(0.f, x) : x; }
static inline float widened(uint16_t h) {
    uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return flushed(x);
}

/* The same tile one element at a time, in the same order. */
static void tile_emulated(int pc, const uint32_t *a, const uint32_t *b, float *c, int ldc, int mr, int nr, int first) {
    for (int r = 0; r < mr; r++)
        for (int j = 0; j < nr; j++) {
            float sum = first ? 0.f : flushed(c[(long)r * ldc + j]);
            for (int p = 0; p < pc; p++) {
                uint32_t x = a[p * MR + r], y = b[p * NR + j];
                sum = flushed(sum + widened((uint16_t)(x >> 16)) * widened((uint16_t)(y >> 16)));
                sum = flushed(sum + widened((uint16_t)x) * widened((uint16_t)y));
            }
            c[(long)r * ldc + j] = sum;
        }
}

int assay_bf16_native(void) {
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512bf16");
    return known;
}

void assay_bf16_gemm_using(int native, int trans_a, int trans_b, int m, int n, int k,
                           const float *a, int lda, const float *b, int ldb, int accumulate, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        if (accumulate) return;
        for (int i = 0; i < m; i++) memset(c + (long)i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    operand A = { a, trans_a ? 1 : lda, trans_a ? lda : 1, k };
    operand B = { b, trans_b ? ldb : 1, trans_b ? 1 : ldb, k };
    int pairs = (k + 1) / 2, pc_max = KC / 2;
    uint32_t *pa = malloc(sizeof(uint32_t) * MC * pc_max);
    uint32_t *pb = malloc(sizeof(uint32_t) * NC * pc_max);
    for (int jc = 0; jc < n; jc += NC) {
        int nc = n - jc < NC ? n - jc : NC;
        for (int p0 = 0; p0 < pairs; p0 += pc_max) {
            int pc = pairs - p0 < pc_max ? pairs - p0 : pc_max;
            for (int jr = 0; jr < nc; jr += NR)
                pack(native, B, jc + jr, nc - jr < NR ? nc - jr : NR, NR, p0, pc, pb + (long)jr * pc);
            for (int ic = 0; ic < m; ic += MC) {
                int mc = m - ic < MC ? m - ic : MC;
                for (int ir = 0; ir < mc; ir += MR)
                    pack(native, A, ic + ir, mc - ir < MR ? mc - ir : MR, MR, p0, pc, pa + (long)ir * pc);
                for (int jr = 0; jr < nc; jr += NR)
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = mc - ir < MR ? mc - ir : MR, nr = nc - jr < NR ? nc - jr : NR;
                        float *tile = c + (long)(ic + ir) * ldc + jc + jr;
                        if (native) tile_native(pc, pa + (long)ir * pc, pb + (long)jr * pc, tile, ldc, mr, nr, p0 == 0 && !accumulate);
                        else tile_emulated(pc, pa + (long)ir * pc, pb + (long)jr * pc, tile, ldc, mr, nr, p0 == 0 && !accumulate);
                    }
            }
        }
    }
    free(pa);
    free(pb);
}

void assay_bf16_gemm(int trans_a, int trans_b, int m, int n, int k,
                     const float *a, int lda, const float *b, int ldb, int accumulate, float *c, int ldc) {
    assay_bf16_gemm_using(assay_bf16_native(), trans_a, trans_b, m, n, k, a, lda, b, ldb, accumulate, c, ldc);
}
