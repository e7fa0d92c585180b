"""C-level API benchmark: many small k-means fits from Cython (examples/cython) vs the Python API.

The Cython batch example fits every dataset inside one prange loop through ckmeans.kernels; the
Python side runs ``ckmeans.kmeans`` once per dataset in a loop, from the initial rows the batch chose,
so both do the same fits (the script checks that the inertias agree to the bit). The Python loop does
not run k-means++ (it gets the initial centres), so its time is, if anything, flattered.

    python bench/bench_capi.py --write BENCHMARKS.md
"""

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common

import ckmeans

SECTION = "bench-capi"


def _build_helpers():
    spec = importlib.util.spec_from_file_location(
        "ckmeans_examples_build", common.REPO_ROOT / "examples" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_datasets(n_sets, n_samples, n_features, n_centers, seed):
    """n_sets independent blob datasets, float64, C-contiguous (n_sets, n_samples, n_features)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 4, size=(n_sets, n_centers, n_features))
    which = rng.integers(0, n_centers, size=(n_sets, n_samples))
    X = np.take_along_axis(centers, which[:, :, None], axis=1) + rng.normal(
        size=(n_sets, n_samples, n_features)
    )
    return np.ascontiguousarray(X), rng.integers(0, 2**64, size=n_sets, dtype=np.uint64)


def python_loop(X, k, init_rows, n_threads):
    """The same fits through the public Python API, one call per dataset: their inertias."""
    return np.array(
        [
            ckmeans.kmeans(X[s], k, init=X[s][init_rows[s]], n_init=1, n_threads=n_threads).inertia
            for s in range(X.shape[0])
        ]
    )


def run(args):
    batch = _build_helpers().build_cython(Path(tempfile.mkdtemp(prefix="ckmeans-bench-capi-")))
    X, seeds = make_datasets(args.sets, args.rows, args.features, args.k, args.seed)
    reference = batch.kmeans_many(X, args.k, seeds, n_threads=1)
    init_rows = reference["init_rows"]
    cases = [  # (what, threads, callable returning the inertia of every dataset)
        ("Python loop over ckmeans.kmeans", 1, lambda: python_loop(X, args.k, init_rows, 1)),
        (
            "Python loop over ckmeans.kmeans",
            args.threads,
            lambda: python_loop(X, args.k, init_rows, args.threads),
        ),
        (
            "Cython batch (examples/cython), prange",
            1,
            lambda: batch.kmeans_many(X, args.k, seeds, n_threads=1)["inertia"],
        ),
        (
            "Cython batch (examples/cython), prange",
            args.threads,
            lambda: batch.kmeans_many(X, args.k, seeds, n_threads=args.threads)["inertia"],
        ),
    ]
    times = {i: [] for i in range(len(cases))}
    for _ in range(args.repeats):  # round-robin, so machine noise spreads over every case
        for i, (_, _, fn) in enumerate(cases):
            seconds, inertia = common.timed(fn)
            if not np.array_equal(inertia, reference["inertia"]):
                raise AssertionError(
                    f"{cases[i][0]} ({cases[i][1]} threads): inertias differ from the "
                    "reference batch: not the same fits"
                )
            times[i].append(seconds)
    stats = [common.summarize(times[i]) for i in range(len(cases))]
    fastest = stats[-1]["median"]
    rows = [
        [
            what,
            threads,
            f"{s['median']:.3f}",
            f"{s['min']:.3f}",
            f"{1e6 * s['median'] / args.sets:.0f}",
            f"{s['median'] / fastest:.1f}",
        ]
        for (what, threads, _), s in zip(cases, stats)
    ]
    return rows, stats, int(np.sum(reference["n_iter"]))


def report(args, argv, rows, stats, n_iter, load):
    headers = ["what", "threads", "median s", "min s", "µs per dataset", f"× batch ({args.threads} thr)"]
    loop_1, batch_1 = stats[0]["median"], stats[2]["median"]
    loop_n, batch_n = stats[1]["median"], stats[3]["median"]
    return "\n".join(
        [
            "## C-level API: batch k-means",
            "",
            f"{args.sets} independent datasets of {args.rows} x {args.features} float64 (blobs), "
            f"k = {args.k}, k-means++ then Lloyd (max_iter 300, tol 1e-4), {n_iter} Lloyd iterations in all; "
            f"{args.repeats} round-robin repeats, wall time. Both sides run the same fits (inertias "
            "checked equal); the Python loop is given the batch's initial rows, so it skips k-means++.",
            "",
            common.markdown_table(headers, rows),
            "",
            f"- medians, 1 thread: Python loop / Cython batch = **{loop_1 / batch_1:.1f}**; "
            f"{args.threads} threads: **{loop_n / batch_n:.1f}**",
            f"- the Python loop pays validation and a Python call per dataset (about "
            f"{1e6 * (loop_1 - batch_1) / args.sets:.0f} µs each here); the batch pays one call in all and "
            "spreads the datasets over the threads, where the Python loop can only thread inside each "
            "small fit",
            f"- {args.threads} threads inside each small fit change nothing: a 200-row fit is one chunk, and "
            "a parallel region never gets more threads than it has chunks (ck_omp_team), so it does not "
            "wait on an idle second thread",
            "",
            f"Command: `{common.command_line(__file__, argv)}`  ",
            f"Machine: {common.machine_line(['numpy', 'Cython'])}; load average {load:.1f} at the start; "
            f"{common.ckmeans_origin()}",
        ]
    )


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    p.add_argument("--sets", type=int, default=2000, help="number of datasets")
    p.add_argument("--rows", type=int, default=200, help="samples per dataset")
    p.add_argument("--features", type=int, default=16)
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--threads", type=int, default=2, help="threads of the threaded rows")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--write", metavar="MARKDOWN", help="put the section into this file (e.g. BENCHMARKS.md)")
    args = p.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows, stats, n_iter = run(args)
    text = report(args, argv, rows, stats, n_iter, load)
    print(text)
    if args.write:
        common.replace_section(args.write, SECTION, text)


if __name__ == "__main__":
    main()
