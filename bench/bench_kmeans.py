"""Peer benchmark for hard k-means: ckmeans against scikit-learn, scikit-learn-intelex and faiss.

Everything runs in one process on the same data, starting every peer from the same initial centres
C0 (scikit-learn's k-means++ on the float32 data with a fixed seed, computed once per k; C0 rows are
data points, so they are the same numbers in every dtype):

* per iteration (issue 3): tol=0 and max_iter=--iters, ms per iteration = wall / n_iter, median of
  --repeats; a peer that stops early on strict convergence is reported with its real n_iter.
* converged (issue 7): tol=--tol, run to convergence; wall time, iterations, inertia and the fraction
  of labels equal to ckmeans' labels (faiss has no tolerance: it gets ckmeans' iteration count).

Peer `ckmeans` runs the default algorithm='auto'; `ckmeans-lloyd` and `ckmeans-yinyang` force one
(same results, different speed); ckmeans-yinyang's converged row also reports the share of rows it
searched per iteration (mean over the iterations / last iteration).

Inertia and labels are evaluated by this script from each peer's final centres (float64, nearest
centre), so every peer is measured with the same yardstick. Peers that cannot take the input dtype
get the conversion they would need (scikit-learn: uint8 -> float64, faiss: -> float32); its time is
a separate column, its memory is part of the peer's extra peak. Extra peak memory is measured per
(peer, dtype, k) in a fresh process (this script with --one) as peak RSS minus RSS after loading the
data. All peers are limited to --threads threads. Run `python bench/bench_kmeans.py --help`.
"""

import argparse
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

import _common as common
import numpy as np

SECTION_KEY = "bench-kmeans"
LIBRARIES = ["numpy", "scipy", "scikit-learn", "scikit-learn-intelex", "faiss-cpu", "threadpoolctl"]
DTYPES = {"float32": np.float32, "float64": np.float64, "uint8": np.uint8}


# ------------------------------------------------------------------------------------------ peers
# Each loader imports its library (ImportError = not installed) and returns
# fit(X, C0, max_iter, tol, n_threads) -> (final centres, iterations run).


def _ckmeans_loader(algorithm):
    def load():
        from ckmeans import kmeans

        def fit(X, C0, max_iter, tol, n_threads):
            result = kmeans(
                X,
                C0.shape[0],
                init=C0,
                n_init=1,
                max_iter=max_iter,
                tol=tol,
                algorithm=algorithm,
                n_threads=n_threads,
            )
            return result.centroids, result.n_iter

        return fit

    return load


def searched_share(X, C0, max_iter, tol, n_threads):
    """Mean and last share of the rows a Yinyang fit searched per iteration (an extra, untimed fit
    through the C boundary, which reports it)."""
    from ckmeans import _kmeans, _kmeans_core

    C = np.array(C0, dtype=np.float32 if X.dtype == np.float32 else np.float64)
    labels, history = np.empty(len(X), np.int32), np.empty(max_iter)
    searched = np.zeros(max_iter, np.int64)
    n_iter, _, _, _ = _kmeans_core.fit(
        X,
        None,
        C,
        labels,
        "yinyang",
        max_iter,
        _kmeans._tolerance(X, tol, n_threads),
        n_threads,
        history,
        searched_history=searched,
    )
    share = searched[:n_iter] / len(X)
    return float(share.mean()), float(share[-1])


def _sklearn_loader(algorithm):
    def load():
        from sklearn.cluster import KMeans

        def fit(X, C0, max_iter, tol, n_threads):  # threads: threadpoolctl limits (set by caller)
            km = KMeans(C0.shape[0], init=C0, n_init=1, max_iter=max_iter, tol=tol, algorithm=algorithm).fit(
                X
            )
            return km.cluster_centers_, km.n_iter_

        return fit

    return load


def _load_sklearnex():
    from sklearnex.cluster import KMeans

    def fit(X, C0, max_iter, tol, n_threads):
        km = KMeans(C0.shape[0], init=C0, n_init=1, max_iter=max_iter, tol=tol, n_jobs=n_threads).fit(X)
        return km.cluster_centers_, km.n_iter_

    return fit


def _load_faiss():
    import faiss

    no_early_stop = (
        {"early_stop_threshold": -1.0}
        if hasattr(faiss.ClusteringParameters(), "early_stop_threshold")
        else {}
    )

    def fit(X, C0, max_iter, tol, n_threads):
        # faiss has no tolerance; recent versions stop when the float32 objective stops improving
        # (early_stop_threshold=0), which rounding triggers long before the labels settle: disabled,
        # so it runs exactly niter iterations. By default it trains on a random subsample of k * 256
        # points and warns below k * 39: both off, so it sees every row.
        faiss.omp_set_num_threads(n_threads)
        km = faiss.Kmeans(
            X.shape[1],
            C0.shape[0],
            niter=max_iter,
            max_points_per_centroid=X.shape[0],
            min_points_per_centroid=1,
            verbose=False,
            **no_early_stop,
        )
        km.train(X, init_centroids=C0)
        return km.centroids, len(km.obj)

    return fit


F32, F64, U8 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.uint8)
# peer -> (loader, library distribution, {input dtype: dtype the peer computes on, None = n/a})
PEERS = {
    "ckmeans": (_ckmeans_loader("auto"), "ckmeans", {F32: F32, F64: F64, U8: U8}),
    "ckmeans-lloyd": (_ckmeans_loader("lloyd"), "ckmeans", {F32: F32, F64: F64, U8: U8}),
    "ckmeans-yinyang": (_ckmeans_loader("yinyang"), "ckmeans", {F32: F32, F64: F64, U8: U8}),
    "sklearn-lloyd": (_sklearn_loader("lloyd"), "scikit-learn", {F32: F32, F64: F64, U8: F64}),
    "sklearn-elkan": (_sklearn_loader("elkan"), "scikit-learn", {F32: F32, F64: F64, U8: F64}),
    "sklearnex": (_load_sklearnex, "scikit-learn-intelex", {F32: F32, F64: F64, U8: F64}),
    "faiss": (_load_faiss, "faiss-cpu", {F32: F32, F64: None, U8: F32}),
}


def load_peer(name):
    """(fit function, None) or (None, why the peer cannot run)."""
    loader = PEERS[name][0]
    try:
        return loader(), None
    except ImportError:
        if name.startswith("ckmeans") and importlib.util.find_spec("ckmeans") is not None:
            return None, "ckmeans.kmeans missing"
        return None, "not installed"


def fit_dtype(peer, dtype):
    return PEERS[peer][2][np.dtype(dtype)]


def prepare(X, C0, peer):
    """The peer's input and initial centres: X converted only when the peer needs it."""
    target = fit_dtype(peer, X.dtype)
    Xp = X if target == X.dtype else X.astype(target)
    return Xp, C0.astype(target if target.kind == "f" else np.float64)


# ------------------------------------------------------------------------------------------- data


def load_data(args):
    """(uint8 matrix, description)."""
    if args.synthetic:
        n, d = args.synthetic
        return common.synthetic_uint8(n, d, seed=args.seed), f"synthetic uint8 blobs {n} x {d}"
    X, reader = common.load_idx_images(Path(args.data_dir) / "mnist" / "train-images-idx3-ubyte.gz")
    if args.rows:
        X = np.ascontiguousarray(X[: args.rows])
    return X, f"MNIST train, {X.shape[0]} x {X.shape[1]} raw pixel values 0..255 (read with {reader})"


def initial_centres(X, k, seed, cache_dir):
    """scikit-learn's k-means++ on X as float32, cached per (data, k, seed): float64 C0."""
    key = hashlib.sha1(X.tobytes()).hexdigest()[:16]
    path = Path(cache_dir) / f"c0-{key}-k{k}-seed{seed}.npy"
    if path.exists():
        return np.load(path)
    from sklearn.cluster import kmeans_plusplus

    C0, _ = kmeans_plusplus(X.astype(np.float32), k, random_state=seed)
    C0 = C0.astype(np.float64)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, C0)
    return C0


def evaluate(X, centres, chunk=4096):
    """(labels, inertia) of X against centres: nearest centre, squared distance in float64."""
    C = np.asarray(centres, dtype=np.float64)
    half_norms = 0.5 * np.einsum("ij,ij->i", C, C)
    labels = np.empty(X.shape[0], dtype=np.int64)
    inertia = 0.0
    for start in range(0, X.shape[0], chunk):
        x = X[start : start + chunk].astype(np.float64)
        # argmin ||x - c||^2 = argmin (||c||^2 / 2 - x.c); the distance itself is then taken
        # directly, not from the expansion, so cancellation cannot touch the inertia.
        j = np.argmin(half_norms - x @ C.T, axis=1)
        labels[start : start + chunk] = j
        inertia += float(np.einsum("ij,ij->", x - C[j], x - C[j]))
    return labels, inertia


# ---------------------------------------------------------------------------------------- running


class Runner:
    """Runs fits of the available peers in this process, all on the same thread budget."""

    def __init__(self, peers, n_threads):
        self.n_threads = n_threads
        self.fits, self.status = {}, {}
        for name in peers:
            self.fits[name], self.status[name] = load_peer(name)
        self._warm = set()

    def usable(self, peer, dtype):
        """None when the peer can run on dtype, else the reason it cannot."""
        if self.status[peer]:
            return self.status[peer]
        if fit_dtype(peer, dtype) is None:
            return f"n/a ({PEERS[peer][1]} takes no {np.dtype(dtype).name})"
        return None

    def run(self, peer, X, C0, max_iter, tol, warm_up=True):
        """One fit: dict with convert and fit seconds, n_iter, centres (or an error). The first
        fit of a (peer, dtype) is preceded by an unmeasured 1-iteration fit (library set-up)."""
        if warm_up and (peer, X.dtype) not in self._warm:
            self._warm.add((peer, X.dtype))
            self.run(peer, X, C0, 1, tol, warm_up=False)
        try:
            t_conv, (Xp, C0p) = common.timed(prepare, X, C0, peer)
            t_fit, (centres, n_iter) = common.timed(self.fits[peer], Xp, C0p, max_iter, tol, self.n_threads)
        except Exception as exc:  # a peer failing is a result to report, not a reason to stop
            return {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:120]}
        return {
            "convert": t_conv if Xp is not X else 0.0,
            "fit": t_fit,
            "n_iter": int(n_iter),
            "centres": np.asarray(centres),
        }


def _row(runner, runs, peer, dtype, k):
    """A table row's identity, plus 'status' when the peer did not run (or failed)."""
    row = {"peer": peer, "dtype": dtype.name, "k": k, "fit_dtype": (fit_dtype(peer, dtype) or dtype).name}
    errors = [r["error"] for r in runs.get(peer, []) if "error" in r]
    status = runner.usable(peer, dtype) or (errors[0] if errors else None)
    if status:
        row["status"] = status
    return row


def per_iteration(runner, X_u8, c0, args):
    """Mode 1 rows: fixed iterations from C0, ms per iteration."""
    rows = []
    for k, iters in zip(args.k, args.iters):
        for dtype in args.dtypes:
            if dtype == F64 and k > args.f64_max_k:
                continue
            X = X_u8.astype(dtype) if dtype != U8 else X_u8
            peers = [p for p in args.peers if runner.usable(p, dtype) is None]
            runs = {p: [] for p in peers}
            for _ in range(args.repeats):  # round robin, so background noise hits every peer alike
                for p in peers:
                    runs[p].append(runner.run(p, X, c0[k], iters, 0.0))
            for p in args.peers:
                row = _row(runner, runs, p, dtype, k)
                if "status" not in row:
                    last = runs[p][-1]
                    row.update(
                        n_iter=last["n_iter"],
                        times=[1e3 * r["fit"] / r["n_iter"] for r in runs[p]],
                        convert_ms=common.summarize([1e3 * r["convert"] for r in runs[p]])["median"],
                        inertia=evaluate(X, last["centres"])[1],
                    )
                rows.append(row)
            del X
    return rows


def converged(runner, X_u8, c0, args):
    """Mode 2 rows: run to convergence (tol) from C0; faiss gets ckmeans' iteration count."""
    rows = []
    for k in args.conv_k:
        for dtype in args.conv_dtypes:
            X = X_u8.astype(dtype) if dtype != U8 else X_u8
            peers = [p for p in args.peers if runner.usable(p, dtype) is None]
            # peers with a tolerance first: faiss runs as many iterations as the reference took
            peers.sort(key=lambda p: (p != "ckmeans", p == "faiss"))
            runs, ref_iter = {p: [] for p in peers}, None
            for p in peers:
                max_iter = ref_iter if p == "faiss" and ref_iter else args.max_iter
                for _ in range(args.conv_repeats):
                    runs[p].append(runner.run(p, X, c0[k], max_iter, args.tol))
                if ref_iter is None and "n_iter" in runs[p][-1]:
                    ref_iter = runs[p][-1]["n_iter"]
            ref_labels, group = None, {}
            for p in sorted(args.peers, key=lambda p: p != "ckmeans"):  # ckmeans' labels first
                row = group[p] = _row(runner, runs, p, dtype, k)
                if "status" in row:
                    continue
                last = runs[p][-1]
                labels, inertia = evaluate(X, last["centres"])
                if p == "ckmeans":
                    ref_labels = labels
                row.update(
                    n_iter=last["n_iter"],
                    times=[r["convert"] + r["fit"] for r in runs[p]],
                    inertia=inertia,
                    converged="-"
                    if p == "faiss"
                    else ("yes" if last["n_iter"] < max(args.max_iter, 1) else "no"),
                    agree=None if ref_labels is None else float(np.mean(labels == ref_labels)),
                )
                if p == "ckmeans-yinyang":
                    row["searched"] = searched_share(X, c0[k], args.max_iter, args.tol, args.threads)
            rows += [group[p] for p in args.peers]
            del X
    return rows


# ------------------------------------------------------------------------------------ peak memory


def one(args):
    """--one: a single fit of one peer in this fresh process; print its extra peak memory as JSON."""
    from threadpoolctl import threadpool_limits

    X_u8, _ = load_data(args)
    dtype = args.one_dtype
    X = X_u8 if dtype == U8 else X_u8.astype(dtype)
    del X_u8
    C0 = np.load(args.c0)
    runner = Runner([args.one], args.threads)
    if runner.usable(args.one, dtype):
        print(json.dumps({"status": runner.usable(args.one, dtype)}))
        return
    with threadpool_limits(args.threads):
        # no warm-up here: set-up buffers are part of what the peer costs
        extra, baseline, result = common.extra_peak_mb(
            lambda: runner.run(args.one, X, C0, args.mem_iters, 0.0, warm_up=False)
        )
    print(json.dumps({"extra_mb": extra, "baseline_mb": baseline, "status": result.get("error")}))


def measure_memory(configs, c0_files, args):
    """{(peer, dtype name, k): extra peak MB or a status string}, one fresh process per config."""
    data_args = (
        ["--synthetic", f"{args.synthetic[0]},{args.synthetic[1]}"]
        if args.synthetic
        else ["--data-dir", str(args.data_dir)] + (["--rows", str(args.rows)] if args.rows else [])
    )
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    memory = {}
    for peer, dtype, k in sorted(configs):
        argv = [
            __file__,
            "--one",
            peer,
            "--one-dtype",
            dtype,
            "--c0",
            c0_files[k],
            "--mem-iters",
            str(args.mem_iters),
            "--threads",
            str(args.threads),
            "--seed",
            str(args.seed),
            *data_args,
        ]
        try:
            out = common.run_json_subprocess(argv, env=env, timeout=3600)
        except Exception as exc:
            memory[peer, dtype, k] = f"error: {exc}".splitlines()[0][:80]
            continue
        memory[peer, dtype, k] = out["status"] if out.get("status") else out["extra_mb"]
    return memory


# ----------------------------------------------------------------------------------------- report


def _fmt(value, spec):
    return "-" if value is None else format(value, spec)


def _ratios(rows, key):
    """Add 'best' (value / fastest peer other than ckmeans, any algorithm) and 'vs_ck' (value / ckmeans)."""
    groups = {}
    for r in rows:
        if "times" in r:
            r[key] = common.summarize(r["times"])
            groups.setdefault((r["dtype"], r["k"]), []).append(r)
    for group in groups.values():
        others = [r[key]["median"] for r in group if not r["peer"].startswith("ckmeans")]
        ck = [r[key]["median"] for r in group if r["peer"] == "ckmeans"]
        for r in group:
            r["best"] = r[key]["median"] / min(others) if others else None
            r["vs_ck"] = r[key]["median"] / ck[0] if ck else None


def _memory_cell(memory, r):
    m = memory.get((r["peer"], r["dtype"], r["k"]))
    return "-" if m is None else (m if isinstance(m, str) else f"{max(m, 0.0):.0f}")


def _dtype_cell(r):
    return r["dtype"] if r["fit_dtype"] == r["dtype"] else f"{r['dtype']} → {r['fit_dtype']}"


def _table(rows, memory, unit, digits, headers, tail):
    """Shared layout of both tables: peer, dtype, k, median, min, ratios, then the mode's `tail`
    columns; a peer that did not run gets its reason in place of the median."""
    _ratios(rows, unit)
    headers = [
        "peer",
        "dtype",
        "k",
        f"{headers[0]} (median)",
        f"{headers[0]} (min)",
        "× best peer",
        "× ckmeans",
        *headers[1:],
    ]
    out = []
    for r in rows:
        head = [r["peer"], _dtype_cell(r), r["k"]]
        if "status" in r:
            out.append(head + [r["status"]] + [""] * (len(headers) - 4))
            continue
        out.append(
            [
                *head,
                f"{r[unit]['median']:.{digits}f}",
                f"{r[unit]['min']:.{digits}f}",
                _fmt(r["best"], ".2f"),
                _fmt(r["vs_ck"], ".2f"),
                *tail(r, memory),
            ]
        )
    return common.markdown_table(headers, out)


def iteration_table(rows, memory):
    return _table(
        rows,
        memory,
        "ms",
        1,
        ["ms/iter", "convert ms", "extra peak MB", "n_iter", "inertia"],
        lambda r, m: [
            f"{r['convert_ms']:.0f}" if r["convert_ms"] else "-",
            _memory_cell(m, r),
            r["n_iter"],
            f"{r['inertia']:.7g}",
        ],
    )


def converged_table(rows, memory):
    return _table(
        rows,
        memory,
        "s",
        2,
        [
            "wall s",
            "n_iter",
            "converged",
            "inertia",
            "labels = ckmeans",
            "extra peak MB",
            "rows searched (mean / last)",
        ],
        lambda r, m: [
            r["n_iter"],
            r["converged"],
            f"{r['inertia']:.7g}",
            _fmt(r["agree"], ".4f"),
            _memory_cell(m, r),
            "/".join(f"{100 * v:.1f}%" for v in r["searched"]) if "searched" in r else "-",
        ],
    )


def report(args, data_desc, iter_rows, conv_rows, memory, argv):
    lines = [
        "## Hard k-means",
        "",
        "Generated by `bench/bench_kmeans.py` (see bench/README.md). One run on a shared machine: "
        "timings are noisy (other jobs share the cores), read ratios, not absolute times.",
        "",
        "```",
        common.command_line(__file__, argv, None if args.synthetic else args.data_dir),
        "```",
        "",
        f"- machine: {common.machine_line(LIBRARIES)}",
        f"- {common.ckmeans_origin()}",
        f"- threads: {args.threads} for every peer (threadpoolctl limits on BLAS and OpenMP, "
        "faiss.omp_set_num_threads, sklearnex n_jobs, ckmeans n_threads)",
        f"- data: {data_desc}",
        f"- init: the same C0 for every peer: scikit-learn kmeans_plusplus on the float32 data, "
        f"random_state={args.seed}",
        "- inertia (and labels) evaluated by the script from each peer's final centres, in float64",
        "- × best peer: this row's median over the fastest peer other than ckmeans (any algorithm) "
        "with the same dtype and k; × ckmeans: over ckmeans' median",
        "- ckmeans runs algorithm='auto' (max_iter >= 20: Yinyang bounds from k=64 on; below, for "
        "unweighted float32/float64, single bounds that read only the rows they cannot settle, "
        "because MNIST's cluster sums are exact; else Lloyd); ckmeans-lloyd and ckmeans-yinyang "
        "force one; all three reach the same labels and centroids",
        "- dtype `a → b`: the peer cannot fit on `a`, so it gets `a` converted to `b` (what it would "
        "do itself); that conversion is the `convert ms` column (not in ms/iter) and is part of its "
        "extra peak MB",
        "- extra peak MB: peak RSS of a fresh process running that fit "
        f"({args.mem_iters} iterations) minus its RSS after loading the data in that dtype",
    ]
    if iter_rows:
        iters = ", ".join(f"{n} at k={k}" for k, n in zip(args.k, args.iters))
        lines += [
            "",
            f"### Per iteration (tol=0, max_iter {iters}, median of {args.repeats} "
            "repeats; a peer stopping early on strict convergence shows n_iter < max_iter)",
            "",
            iteration_table(iter_rows, memory),
        ]
    if conv_rows:
        lines += [
            "",
            f"### To convergence (tol={args.tol}, max_iter={args.max_iter}, median of "
            f"{args.conv_repeats} run(s); faiss has no tolerance and runs ckmeans' n_iter; "
            "wall time includes any conversion)",
            "",
            converged_table(conv_rows, memory),
        ]
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------------------------------- CLI


def _ints(text):
    return [int(v) for v in text.split(",") if v]


def _dtypes(text):
    return [np.dtype(DTYPES[v]) for v in text.split(",") if v]


def _peers(text):
    names = [v for v in text.split(",") if v]
    unknown = set(names) - set(PEERS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peers {sorted(unknown)}; known: {list(PEERS)}")
    return names


def _shape(text):
    n, d = _ints(text)
    return n, d


def parse_args(argv):
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument(
        "--data-dir",
        default=str(common.data_dir()),
        help="folder with mnist/ ($CKMEANS_BENCH_DATA, $CKMEANS_TEST_DATA, ../shared/data)",
    )
    p.add_argument("--rows", type=int, default=None, help="use only the first ROWS MNIST images")
    p.add_argument(
        "--synthetic",
        type=_shape,
        default=None,
        metavar="N,D",
        help="synthetic uint8 blobs instead of MNIST (for smoke tests)",
    )
    p.add_argument("--peers", type=_peers, default=list(PEERS), help="comma-separated")
    p.add_argument("--threads", type=int, default=2, help="threads for every peer")
    p.add_argument("--seed", type=int, default=0, help="k-means++ seed for C0")
    p.add_argument("--modes", default="iter,conv", help="iter (per iteration), conv (converged)")
    p.add_argument("--k", type=_ints, default=[10, 256], help="k for the per-iteration mode")
    p.add_argument("--dtypes", type=_dtypes, default=_dtypes("float32,uint8,float64"))
    p.add_argument(
        "--iters",
        type=_ints,
        default=[20],
        help="iterations per fit in the per-iteration mode: one count, or one per --k",
    )
    p.add_argument(
        "--f64-max-k",
        type=int,
        default=10**9,
        help="per-iteration float64 rows only for k up to this (they are for comparing "
        "with scikit-learn's native precision; at large k they only add run time)",
    )
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--conv-k", type=_ints, default=[10, 64, 256, 1024], help="k for the converged mode")
    p.add_argument("--conv-dtypes", type=_dtypes, default=_dtypes("float32"))
    p.add_argument("--conv-repeats", type=int, default=1)
    p.add_argument("--max-iter", type=int, default=300)
    p.add_argument("--tol", type=float, default=1e-4)
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    p.add_argument("--mem-iters", type=int, default=2, help="iterations of each peak-memory fit")
    p.add_argument(
        "--quick",
        action="store_true",
        help="small subset: 5000 rows, k=10, 5 iterations, 3 repeats, float32 and uint8",
    )
    p.add_argument(
        "--write",
        metavar="MARKDOWN",
        default=None,
        help="replace the 'Hard k-means' section of this file (e.g. BENCHMARKS.md)",
    )
    p.add_argument(
        "--cache-dir",
        default=os.path.join(tempfile.gettempdir(), "ckmeans-bench-cache"),
        help="where C0 is cached per (data, k, seed)",
    )
    p.add_argument("--one", choices=list(PEERS), help=argparse.SUPPRESS)
    p.add_argument("--one-dtype", type=lambda v: np.dtype(DTYPES[v]), help=argparse.SUPPRESS)
    p.add_argument("--c0", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:
        args.rows = args.rows or 5000
        args.k, args.conv_k = [10], [10]
        args.iters, args.repeats = [5], 3
        args.dtypes = _dtypes("float32,uint8")
    if len(args.iters) == 1:
        args.iters = args.iters * len(args.k)
    if len(args.iters) != len(args.k):
        p.error(f"--iters has {len(args.iters)} counts for {len(args.k)} values of --k")
    args.modes = set(args.modes.split(","))
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    warnings.simplefilter("ignore")  # peers' ConvergenceWarnings etc. would drown the table
    if args.one:
        return one(args)
    from threadpoolctl import threadpool_limits

    X_u8, data_desc = load_data(args)
    runner = Runner(args.peers, args.threads)  # import every peer before limiting their threads
    with threadpool_limits(args.threads), tempfile.TemporaryDirectory() as tmp:
        ks = sorted(
            set(args.k if "iter" in args.modes else []) | set(args.conv_k if "conv" in args.modes else [])
        )
        c0 = {k: initial_centres(X_u8, k, args.seed, args.cache_dir) for k in ks}
        iter_rows = per_iteration(runner, X_u8, c0, args) if "iter" in args.modes else []
        conv_rows = converged(runner, X_u8, c0, args) if "conv" in args.modes else []
        memory = {}
        if not args.no_memory:
            c0_files = {}
            for k, C0 in c0.items():
                c0_files[k] = os.path.join(tmp, f"c0-k{k}.npy")
                np.save(c0_files[k], C0)
            configs = {(r["peer"], r["dtype"], r["k"]) for r in iter_rows + conv_rows if "status" not in r}
            memory = measure_memory(configs, c0_files, args)
    text = report(args, data_desc, iter_rows, conv_rows, memory, argv)
    print(text)
    if args.write:
        common.replace_section(args.write, SECTION_KEY, text)
    # A peer that fails is a cell of the table; ckmeans failing is a failed benchmark.
    failed = [
        f"{r['peer']} {r['dtype']} k={r['k']}: {r['status']}"
        for r in iter_rows + conv_rows
        if r["peer"].startswith("ckmeans") and "status" in r
    ]
    failed += [
        f"{peer} {dtype} k={k} (peak memory): {value}"
        for (peer, dtype, k), value in memory.items()
        if peer.startswith("ckmeans") and isinstance(value, str)
    ]
    if failed:
        print("ckmeans failed:\n" + "\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
