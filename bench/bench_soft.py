"""Benchmark for soft k-means (issue 4): ckmeans against the original notebook's NumPy/SciPy
algorithm and scikit-fuzzy's fuzzy c-means, per iteration, on MNIST train.

All peers run in one process on the same data, taking turns in every repeat (so background load
hits them alike), with tol=0 and a fixed number of iterations; ms per iteration = wall / iterations,
median and min of --repeats. ckmeans and the notebook start from the same centres C0 (--k rows drawn
with --seed) and run the same algorithm, so the table also shows how far ckmeans' centres are from
the notebook's. scikit-fuzzy's cmeans (fuzzy c-means, m=2) is a different model of the same kind
(every point shared by all clusters): it is timed, not compared, and starts from its own seeded
random partition. Run `python bench/bench_soft.py --help`.
"""

import argparse
import json
import os
import sys
import time

import _common as common
import numpy as np

SECTION_KEY = "bench-soft"
LIBRARIES = ["numpy", "scipy", "scikit-fuzzy", "threadpoolctl"]


def notebook_soft_kmeans(X, C0, beta, n_iter):
    """The notebook's algorithm: cdist (Euclidean), log-sum-exp responsibilities, weighted means."""
    from scipy.spatial.distance import cdist
    from scipy.special import logsumexp

    C = C0
    for _ in range(n_iter):
        A = -beta * cdist(X, C)
        R = np.exp(A - logsumexp(A, axis=1, keepdims=True))
        C = (R.T @ X) / R.sum(axis=0)[:, None]
    return C


# (peer, the dtype it is given); every peer's X is MNIST in that dtype
PEERS = [
    ("ckmeans", "uint8"),
    ("ckmeans", "float32"),
    ("ckmeans", "float64"),
    ("notebook (cdist + log-sum-exp)", "float64"),
    ("scikit-fuzzy cmeans (m=2)", "float64"),
]


def runner(name, X, C0, args):
    """A function running one fit of the peer on X (its dtype), or None if the peer is not installed."""
    if name == "ckmeans":
        from ckmeans import soft_kmeans

        return lambda: (
            soft_kmeans(
                X, args.k, args.beta, init=C0, tol=0, max_iter=args.iters, n_threads=args.threads
            ).centroids
        )
    if name.startswith("notebook"):
        return lambda: notebook_soft_kmeans(X, C0, args.beta, args.iters)
    try:
        import skfuzzy
    except ImportError:
        return None
    # data as (features, samples); error=0 never stops early, so it runs maxiter iterations
    return lambda: skfuzzy.cmeans(X.T, args.k, 2.0, error=0.0, maxiter=args.iters, seed=args.seed)[0]


def load(args, dtypes):
    """MNIST train as {dtype: X} for the given dtypes, C0 (float64), the reader used."""
    data = common.data_dir() if args.data is None else args.data
    X8, reader = common.load_idx_images(f"{data}/mnist/train-images-idx3-ubyte.gz")
    if args.quick:
        X8 = X8[:5000]
    C0 = X8[np.random.RandomState(args.seed).choice(len(X8), args.k, replace=False)].astype(np.float64)
    return {dt: X8 if dt == "uint8" else X8.astype(dt) for dt in dtypes}, C0, reader


def one(args):
    """--one: a single fit of one peer in this fresh process; print its extra peak memory as JSON."""
    from threadpoolctl import threadpool_limits

    name, dtype = PEERS[args.one]
    X, C0, _ = load(args, [dtype])
    run = runner(name, X[dtype], C0, args)
    if run is None:
        print(json.dumps({"extra_mb": None}))
        return
    with threadpool_limits(limits=args.threads):
        extra, _, _ = common.extra_peak_mb(run)  # no warm-up: set-up buffers are part of what the peer costs
    print(json.dumps({"extra_mb": extra}))


def measure_memory(args):
    """Extra peak MB of each peer (None: not installed), one fresh process each."""
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    argv = [
        __file__,
        "--k",
        str(args.k),
        "--beta",
        str(args.beta),
        "--iters",
        str(args.iters),
        "--threads",
        str(args.threads),
        "--seed",
        str(args.seed),
    ]
    argv += (["--data", str(args.data)] if args.data else []) + (["--quick"] if args.quick else [])
    out = []
    for i in range(len(PEERS)):
        try:
            out.append(
                common.run_json_subprocess([*argv, "--one", str(i)], env=env, timeout=3600)["extra_mb"]
            )
        except Exception as exc:  # reported in the table, the timings still stand
            out.append(f"error: {exc}".splitlines()[0][:60])
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", help="folder with mnist/ (default: $CKMEANS_BENCH_DATA, $CKMEANS_TEST_DATA, ../shared/data)"
    )
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--iters", type=int, default=10, help="iterations per timed fit")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="threads for every peer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="5000 rows (a smoke run)")
    parser.add_argument("--cooldown", type=float, default=0.5, help="seconds idle before each timed fit")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    parser.add_argument("--write", help="Markdown file whose 'Soft k-means' section to replace")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one peer's peak memory
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.one is not None:
        return one(args)

    from threadpoolctl import threadpool_limits

    X, C0, reader = load(args, ["uint8", "float32", "float64"])
    X8 = X["uint8"]
    peers = [(name, dtype, runner(name, X[dtype], C0, args)) for name, dtype in PEERS]

    times = {i: [] for i in range(len(peers))}
    centres = {}
    with threadpool_limits(limits=args.threads):
        for i, (_, _, run) in enumerate(peers):  # unmeasured warm-up
            if run is not None:
                centres[i] = run()
        for _ in range(args.repeats):
            for i, (_, _, run) in enumerate(peers):
                if run is not None:
                    # BLAS worker threads spin for a while after a peer's last matrix product; let
                    # them park so they do not take a core from the next peer
                    time.sleep(args.cooldown)
                    dt, _ = common.timed(run)
                    times[i].append(dt / args.iters * 1e3)
    memory = ["-"] * len(peers) if args.no_memory else measure_memory(args)

    notebook = next(i for i, p in enumerate(peers) if p[0].startswith("notebook"))
    ref_ms = common.summarize(times[notebook])["median"]
    rows = []
    for i, (name, dtype, run) in enumerate(peers):
        if run is None:
            rows.append([name, dtype, "not installed (pip install scikit-fuzzy)", "", "", "", ""])
            continue
        s = common.summarize(times[i])
        if name == "ckmeans" or i == notebook:
            diff = np.abs(centres[i] - centres[notebook]).max() / np.abs(centres[notebook]).max()
            diff = f"{diff:.1e}"
        else:
            diff = "- (other model)"
        mem = f"{memory[i]:.0f}" if isinstance(memory[i], float) else str(memory[i])
        rows.append(
            [name, dtype, f"{s['median']:.1f}", f"{s['min']:.1f}", f"{ref_ms / s['median']:.1f}", diff, mem]
        )
    table = common.markdown_table(
        [
            "peer",
            "X dtype",
            "ms/iter (median)",
            "ms/iter (min)",
            "speed-up vs notebook",
            "centre diff vs notebook",
            "extra peak MB",
        ],
        rows,
    )
    speedups = [
        ref_ms / common.summarize(times[i])["median"] for i, p in enumerate(peers) if p[0] == "ckmeans"
    ]
    n, d = X8.shape
    text = f"""## Soft k-means

Generated by `bench/bench_soft.py`. One run on a shared machine (2 cores, other jobs running at the
same time): timings are noisy, read the ratios (the peers take turns in every repeat, so the load
hits them alike), not absolute times.

```
{common.command_line(__file__, argv, common.data_dir() if args.data is None else args.data)}
```

- machine: {common.machine_line(LIBRARIES)}
- {common.ckmeans_origin()}
- data: MNIST train, {n} x {d} raw pixel values 0..255 (read with {reader}); ckmeans gets each dtype
  as it is, the notebook and scikit-fuzzy get float64 (as the notebook did)
- k={args.k}, beta={args.beta}, Euclidean distance (the notebook's), tol=0, {args.iters} iterations
  per fit, median and min of {args.repeats} repeats after one warm-up; {args.threads} threads for
  every peer (ckmeans n_threads; threadpoolctl limits on BLAS/OpenMP for the others)
- ckmeans and the notebook start from the same C0 ({args.k} rows drawn with seed {args.seed}); the
  last column is max abs(C - C_notebook) / max abs(C_notebook) after the run.
  ckmeans' time includes its final E-step (responsibilities of the returned centres), the notebook's
  loop does not compute it, and its set-up (validation's scan of X for NaN; for float X the packed
  copy of the nonzero groups, about one step), spread over the {args.iters} iterations
- extra peak MB: peak RSS of a fresh process running one such fit minus its RSS with the data loaded
  in that dtype (ckmeans float32/float64: mostly its packed copy of the rows' nonzero 8-feature
  groups, 40% of X for MNIST; the notebook: its n x k matrices and R^T X temporaries)
- scikit-fuzzy's cmeans is fuzzy c-means (memberships u_ij ~ d_ij^(-2/(m-1)), m=2), a different
  model, from its own random partition (seed {args.seed}): timed only

{table}

ckmeans speed-up over the notebook's algorithm: {", ".join(f"{x:.1f}x" for x in speedups)}
(uint8, float32, float64; target >= 20x).
"""
    print(text)
    if args.write:
        common.replace_section(args.write, SECTION_KEY, text)
    # ckmeans' timed fits raise; its peak-memory runs fail into a cell, which must fail the run too.
    failed = [
        f"{name} {dtype} (peak memory): {memory[i]}"
        for i, (name, dtype, _) in enumerate(peers)
        if name == "ckmeans" and str(memory[i]).startswith("error")
    ]
    if failed:
        print("ckmeans failed:\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
