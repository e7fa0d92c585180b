/* Hard k-means on CSR rows: assignment, inertia, Lloyd's step and fit for float32 and float64
 * values (sparse_tpl.h). No Python, no GIL. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ckmeans.h"
#include "ck_omp.h"
#include "ck_cancel.h"
#include "ck_kmeans_internal.h"

#define CK_TPL "sparse_tpl.h"
#include "ck_csr_dtypes.h"
