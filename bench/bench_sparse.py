"""Sparse k-means on 20 Newsgroups TF-IDF: ckmeans vs scikit-learn on the same CSR matrix.

Rows: one fit of a fixed number of Lloyd iterations from the same initial centres (tol=0), float64
and float32 values, and k-means++ on the same matrix (each library its own seeding; time only).
Peers take turns in every repeat, so background load hits them alike; the table gives medians, the
minimum and the ratio of medians. Extra peak memory of a fit is measured in a fresh process per
peer, with the matrix already loaded. The matrix is scikit-learn's ``TfidfVectorizer()`` (default
settings) on the training documents, vectorised once and cached as .npz in --cache.

    python bench/bench_sparse.py --write BENCHMARKS.md
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ckmeans_origin,
    command_line,
    data_dir,
    extra_peak_mb,
    load_note,
    machine_line,
    markdown_table,
    replace_section,
    run_json_subprocess,
    summarize,
    timed,
)


def tfidf_matrix(cache, n_docs=None):
    """20 Newsgroups train as TF-IDF CSR float64 (cached), first n_docs documents if given."""
    path = Path(cache) / f"news20_tfidf_{n_docs or 'all'}.npz"
    if path.exists():
        return sp.load_npz(path).tocsr()
    from sklearn.feature_extraction.text import TfidfVectorizer

    from ckmeans.datasets import load_20newsgroups

    docs, _, _ = load_20newsgroups(data_dir() / "20newsgroups" / "20news-bydate.tar.gz")
    X = TfidfVectorizer().fit_transform(docs[:n_docs] if n_docs else docs).tocsr()
    sp.save_npz(path, X)
    return X


def ckmeans_fit(X, C0, max_iter, n_threads):
    import ckmeans

    return ckmeans.kmeans(X, len(C0), init=C0, max_iter=max_iter, tol=0, n_threads=n_threads).inertia


def sklearn_fit(X, C0, max_iter, n_threads):
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    with threadpool_limits(n_threads):
        km = KMeans(len(C0), init=C0, n_init=1, max_iter=max_iter, tol=0, algorithm="lloyd").fit(X)
    return km.inertia_


def ckmeans_pp(X, k, seed, n_threads):
    # k-means++ alone: ckmeans has no public entry point for it, so the private one kmeans() calls.
    from ckmeans import _sparse

    data = _sparse.check_csr(X)
    C = np.empty((k, X.shape[1]), X.dtype)
    _sparse.kmeans_plusplus(data, None, seed, 0, C, np.empty(k, np.int64), n_threads)
    return C


def sklearn_pp(X, k, seed, n_threads):
    from sklearn.cluster import kmeans_plusplus
    from threadpoolctl import threadpool_limits

    with threadpool_limits(n_threads):
        return kmeans_plusplus(X, k, random_state=seed)[0]


FITS = {"ckmeans": ckmeans_fit, "scikit-learn": sklearn_fit}
SEEDINGS = {"ckmeans": ckmeans_pp, "scikit-learn": sklearn_pp}


def one(args):
    """--one PEER,DTYPE: one fit in this (fresh) process; prints {"extra_mb": ...}."""
    peer, dtype = args.one.split(",")
    X = tfidf_matrix(args.cache, args.docs).astype(dtype)
    C0 = np.load(Path(args.cache) / "c0.npy").astype(dtype)
    import sklearn.cluster  # noqa: F401 (imports before the window: it measures the fit alone)
    import threadpoolctl  # noqa: F401

    import ckmeans  # noqa: F401

    extra, _, _ = extra_peak_mb(lambda: FITS[peer](X, C0, args.iters, args.threads))
    print(json.dumps({"extra_mb": extra}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", type=int, default=20)
    parser.add_argument("--iters", type=int, default=20, help="Lloyd iterations per fit (tol=0)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--docs", type=int, default=None, help="first N training documents only")
    parser.add_argument("--cache", default=None, help="folder for the cached matrix (default: a temp dir)")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--write", default=None, help="Markdown file to put the table in")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return one(args)
    tmp = None
    if args.cache is None:
        tmp = tempfile.TemporaryDirectory()
        args.cache = tmp.name
    X64 = tfidf_matrix(args.cache, args.docs)
    C0 = ckmeans_pp(X64, args.k, 0, args.threads)
    np.save(Path(args.cache) / "c0.npy", C0)
    rows = []
    for dtype in ("float64", "float32"):
        X, C = X64.astype(dtype), C0.astype(dtype)
        times = {p: [] for p in FITS}
        inertia = {}
        for _ in range(args.repeats):
            for peer, fit in FITS.items():
                t, inertia[peer] = timed(fit, X, C, args.iters, args.threads)
                times[peer].append(t)
        mem = {}
        if not args.no_memory:
            for peer in FITS:
                argv1 = [
                    __file__,
                    "--one",
                    f"{peer},{dtype}",
                    "--cache",
                    args.cache,
                    "--iters",
                    str(args.iters),
                    "--threads",
                    str(args.threads),
                ] + (["--docs", str(args.docs)] if args.docs else [])
                mem[peer] = run_json_subprocess(argv1)["extra_mb"]
        rows.append((f"fit, {args.iters} iterations", dtype, times, mem, inertia))
    for dtype in ("float64", "float32"):
        X = X64.astype(dtype)
        times = {p: [] for p in SEEDINGS}
        for rep in range(args.repeats):
            for peer, seed in SEEDINGS.items():
                times[peer].append(timed(seed, X, args.k, rep, args.threads)[0])
        rows.append(("k-means++", dtype, times, {}, {}))

    table = []
    for what, dtype, times, mem, inertia in rows:
        med = {p: summarize(v) for p, v in times.items()}
        ratio = med["scikit-learn"]["median"] / med["ckmeans"]["median"]
        table.append(
            [
                what,
                dtype,
                f"{med['ckmeans']['median']:.3f} ({med['ckmeans']['min']:.3f})",
                f"{med['scikit-learn']['median']:.3f} ({med['scikit-learn']['min']:.3f})",
                f"{ratio:.1f}x",
                " / ".join(f"{mem[p]:.0f}" for p in FITS) if mem else "-",
                (
                    f"{abs(inertia['ckmeans'] - inertia['scikit-learn']) / inertia['scikit-learn']:.1e}"
                    if inertia
                    else "-"
                ),
            ]
        )
    headers = [
        "what",
        "values",
        "ckmeans s, median (min)",
        "scikit-learn s, median (min)",
        "speed-up",
        "extra peak MB ckmeans / sklearn",
        "inertia rel. diff",
    ]
    text = "\n".join(
        [
            "## Sparse k-means: 20 Newsgroups TF-IDF (CSR)",
            "",
            f"{machine_line(['numpy', 'scipy', 'scikit-learn'])}; "
            f"{ckmeans_origin()}; {load_note()}. Read the ratios more than the absolute times.",
            "",
            f"`TfidfVectorizer()` on the training documents: {X64.shape[0]} x {X64.shape[1]}, "
            f"nnz {X64.nnz}. k={args.k}, {args.threads} thread(s) for both libraries, {args.repeats} "
            "repeats taking turns. Fits start from the same centres (ckmeans' k-means++, seed 0) with tol=0; "
            "k-means++ rows time each library's own seeding. Extra peak memory: a fresh process per peer.",
            "",
            markdown_table(headers, table),
            "",
            f"Command: `{command_line(__file__, sys.argv[1:] if argv is None else argv, data_dir())}`",
        ]
    )
    print(text)
    if args.write:
        replace_section(args.write, "sparse", text)
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
