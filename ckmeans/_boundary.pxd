# What the k-means boundaries (_kmeans_core.pyx, _soft_core.pyx, _sparse_core.pyx) share, once: the
# dtype pairs they accept, the data structs of ckmeans.h filled from typed views, a soft call's
# parameters, turning a C status into an exception, pointers to optional arrays, and Ctrl-C during a
# long kernel. Private.
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport int32_t, int64_t, uint8_t

from ckmeans._ckmeans cimport (CK_ERR_CANCELLED, CK_ERR_NOMEM, CK_OK, ck_data_f32, ck_data_f64,
                               ck_data_u8, ck_iter_callback, ck_iter_info, ck_soft_params,
                               ck_soft_params_init, ck_strerror)


ctypedef fused xtype:
    float
    double
    uint8_t

ctypedef fused ctype:
    float
    double


cdef inline int check_status(int status, str kernel) except -1:
    """CK_OK passes; CK_ERR_NOMEM is a MemoryError, CK_ERR_CANCELLED a KeyboardInterrupt (the fits
    are cancelled from Python by an interrupt), any other status a ValueError naming it."""
    if status == CK_OK:
        return 0
    msg = ck_strerror(status).decode("ascii")
    if status == CK_ERR_NOMEM:
        raise MemoryError(f"ckmeans {kernel} kernel: {msg}")
    if status == CK_ERR_CANCELLED:
        raise KeyboardInterrupt(f"ckmeans {kernel} kernel: {msg}")
    raise ValueError(f"ckmeans {kernel} kernel: {msg} (status {status})")


# Ctrl-C during a long kernel. Python's own SIGINT handler only notes the signal for the
# interpreter, which runs no bytecode until the kernel returns; so around a long call made from the
# main thread a C handler takes SIGINT over and sets the flag the kernel polls between blocks of rows
# (ck_set_cancel_flag). Afterwards the previous handler is back, and the signal is raised again for
# it, so Python reacts as to any Ctrl-C (KeyboardInterrupt by default). An ignored SIGINT stays so.
cdef extern from *:
    """
    #include <signal.h>
    #include <string.h>
    #include "ckmeans.h"
    static volatile int ck_py_interrupted;
    typedef struct {
        int installed;
        const volatile int *previous_flag;
    #ifndef _WIN32
        struct sigaction previous;
    #endif
    } ck_sigint_guard;
    static void ck_py_on_sigint(int sig) { (void)sig; ck_py_interrupted = 1; }
    static void ck_sigint_begin(ck_sigint_guard *g, int main_thread)
    {
        g->installed = 0;
    #ifndef _WIN32
        struct sigaction sa;
        if (!main_thread || sigaction(SIGINT, NULL, &g->previous) != 0 || g->previous.sa_handler == SIG_IGN)
            return;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = ck_py_on_sigint;
        sigemptyset(&sa.sa_mask);
        ck_py_interrupted = 0;
        if (sigaction(SIGINT, &sa, NULL) != 0) return;
        g->installed = 1;
        g->previous_flag = ck_set_cancel_flag(&ck_py_interrupted);
    #endif
    }
    static int ck_sigint_end(ck_sigint_guard *g)
    {
    #ifndef _WIN32
        if (!g->installed) return 0;
        ck_set_cancel_flag(g->previous_flag);
        sigaction(SIGINT, &g->previous, NULL);
        if (ck_py_interrupted) raise(SIGINT);
        return ck_py_interrupted;
    #else
        return 0;
    #endif
    }
    """
    ctypedef struct ck_sigint_guard:
        pass
    void ck_sigint_begin(ck_sigint_guard *guard, int main_thread) noexcept
    int ck_sigint_end(ck_sigint_guard *guard) noexcept


cdef inline void interruptible_begin(ck_sigint_guard *guard) noexcept:
    """Call before releasing the GIL around a long kernel; interruptible_end after it returns."""
    import threading
    ck_sigint_begin(guard, threading.current_thread() is threading.main_thread())


cdef inline int interruptible_end(ck_sigint_guard *guard) except -1:
    """Restores SIGINT's handler; after an interrupt runs it (KeyboardInterrupt by default)."""
    if ck_sigint_end(guard):
        PyErr_CheckSignals()
    return 0


cdef inline int pair_error() except -1:
    raise TypeError("centroids must be float32 for float32 X and float64 for float64 or uint8 X")


# The data struct of each dtype over a C-contiguous 2-D view and optional weights.
cdef inline ck_data_f32 data_f32(const float[:, ::1] X, const double *w) noexcept:
    cdef ck_data_f32 d
    d.X = &X[0, 0]
    d.n_samples, d.n_features, d.sample_weight = X.shape[0], X.shape[1], w
    return d


cdef inline ck_data_f64 data_f64(const double[:, ::1] X, const double *w) noexcept:
    cdef ck_data_f64 d
    d.X = &X[0, 0]
    d.n_samples, d.n_features, d.sample_weight = X.shape[0], X.shape[1], w
    return d


cdef inline ck_data_u8 data_u8(const uint8_t[:, ::1] X, const double *w) noexcept:
    cdef ck_data_u8 d
    d.X = &X[0, 0]
    d.n_samples, d.n_features, d.sample_weight = X.shape[0], X.shape[1], w
    return d


cdef inline const double *const_ptr_or_null(const double[::1] a):
    # Not a conditional expression: Cython would drop the const of its temporary.
    if a is None:
        return NULL
    return &a[0]


cdef inline double *ptr_or_null(double[::1] a):
    return NULL if a is None else &a[0]


# A fit's per-iteration callback into Python: callback_data is a list [callable, None]; the callable
# gets (iteration, objective, center_shift, n_changed, beta). An exception it raises stops the fit
# and is kept in the list's second slot, for the boundary to raise once the fit has returned.
cdef inline int py_callback(void *callback_data, const ck_iter_info *info) noexcept nogil:
    with gil:
        box = <list>callback_data
        try:
            box[0](info.iteration, info.objective, info.center_shift, info.n_changed, info.beta)
        except BaseException as exc:
            box[1] = exc
            return 1
    return 0


cdef inline list set_callback(object callback, ck_iter_callback *fn, void **callback_data):
    """Point a fit's params at py_callback with a new box for `callback`; None leaves them NULL.
    The caller keeps the box alive for the call and passes it to raise_from_callback after."""
    if callback is None:
        return None
    box = [callback, None]
    fn[0], callback_data[0] = py_callback, <void *>box
    return box


cdef inline int raise_from_callback(list box) except -1:
    if box is not None and box[1] is not None:
        raise box[1]
    return 0


cdef inline ck_soft_params soft_params(const double *betas, int64_t n_betas, int distance, int max_iter,
                                       double tol, int n_threads, bint spherical) noexcept:
    """A soft call's parameters (dense or CSR; a single E-step or step reads betas[0] alone)."""
    cdef ck_soft_params params
    ck_soft_params_init(&params)
    params.betas, params.n_betas, params.distance = betas, n_betas, distance
    params.max_iter, params.tol, params.n_threads, params.spherical = max_iter, tol, n_threads, spherical
    return params


cdef inline double *resp_ptr_or_null(double[:, ::1] a):
    return NULL if a is None else &a[0, 0]


cdef inline int32_t *labels_ptr_or_null(int32_t[::1] a):
    return NULL if a is None else &a[0]
