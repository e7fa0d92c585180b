/* The dtype matrix of the sparse (CSR) kernels: float32 and float64 values, centroids of the same
 * type. A file writes its logic once in a template using CK_XT (value type), CK_CT (centroid type),
 * CK_CSR (the public data struct, ck_csr_f32 / ck_csr_f64) and CK_FN(name) (name_f32 / name_f64),
 * then instantiates it with
 *   #define CK_TPL "my_tpl.h"
 *   #include "ck_csr_dtypes.h"
 * Private header. */
#ifndef CK_TPL
#error "define CK_TPL (the template header to instantiate) before including ck_csr_dtypes.h"
#endif
#ifndef CK_CSR_DTYPES_ONCE
#define CK_CSR_DTYPES_ONCE
#define CK_CSR_CAT_(a, b) a##_##b
#define CK_CSR_CAT(a, b) CK_CSR_CAT_(a, b)
#ifndef CK_FN
#define CK_FN(name) CK_CSR_CAT(name, CK_SFX)
#endif
#define CK_CSR CK_CSR_CAT(ck_csr, CK_SFX)
/* An AVX2 clone, chosen at load time, for element-wise loops: without FMA (not in the "avx2"
 * target) every element rounds as in the baseline code, so results keep their bits on every CPU. */
#if defined(__x86_64__) && defined(__GNUC__)
#define CK_CSR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CK_CSR_CLONES
#endif
/* Column of the p-th stored value of a ck_csr_* (either index type). */
#define CK_CSR_COL(data, p) ((data)->indices32 ? (int64_t)(data)->indices32[p] : (data)->indices64[p])
#endif

#define CK_SFX f32
#define CK_XT float
#define CK_CT float
#include CK_TPL
#undef CK_SFX
#undef CK_XT
#undef CK_CT

#define CK_SFX f64
#define CK_XT double
#define CK_CT double
#include CK_TPL
#undef CK_SFX
#undef CK_XT
#undef CK_CT
