/* Cancellation: how a long kernel learns that its caller wants it to stop. Private header.
 * A kernel resolves its flag once, on the calling thread (thread-local storage is not visible to the
 * OpenMP workers), and its parallel loops read it between chunks of rows: one volatile load per
 * chunk, so polling costs nothing next to the chunk's work. */
#ifndef CK_CANCEL_H
#define CK_CANCEL_H

/* The calling thread's flag, as ck_set_cancel_flag left it (NULL: none). */
const volatile int *ck_cancel_flag(void);

/* A call's flag: its own (a params->cancel) when set, else the calling thread's. */
static inline const volatile int *ck_cancel_of(const volatile int *own)
{ return own ? own : ck_cancel_flag(); }

static inline int ck_cancelled(const volatile int *flag) { return flag && *flag; }

#endif
