"""ckmeans.dask on a LocalCluster of worker processes: against dask-ml's KMeans, and 1 vs 2 workers.

* peers (issue 22): float32 MNIST train (60000 x 784), k=10, exactly --iters Lloyd iterations
  (tol=0) from the same initial centres C0 (ckmeans' k-means++ with a fixed seed), on 2 worker
  processes of 1 thread each; seconds per fit, median and minimum of --repeats, the peers taking
  turns. Each peer's inertia is evaluated here from its final centres (float64, nearest centre).
* scaling: uint8 MNIST stacked --copies times (4 x 60000 x 784 by default), the same fit on a
  LocalCluster of 1 worker process and one of 2 (1 thread each), taking turns.

* beyond memory: uint8 MNIST stacked --big-copies times, written as a raw IDX file and read by
  ckmeans.dask.read_idx, fitted (k, --iters) on 2 worker processes whose --memory-limit together is
  below the file's size, so the fit reads the blocks again at every iteration instead of persisting
  them; reports the seconds and each worker's peak resident memory (sampled every 50 ms), also above
  its resident memory just before the fit. The limits are below a worker's own footprint, so
  distributed's spilling, pause and restart on them are turned off: the fit only reads them.

In the first two, X is a dask array of row blocks persisted on each cluster before timing, so a
fit's time is its iterations plus its own passes over the blocks (dask-ml's include its per-fit
checks of X). dask-ml 2024.4 imports a private scikit-learn helper that newer scikit-learn no
longer has; this script gives it a stand-in (unused by its KMeans) so the import succeeds. Run
`python bench/bench_dask.py --help`.
"""

import argparse
import sys
import warnings

import _common as common
import numpy as np

SECTION_KEY = "bench-dask"
LIBRARIES = ["numpy", "scikit-learn", "dask", "distributed", "dask-ml"]


def import_dask_ml():
    """dask_ml.cluster, or None with the reason printed."""
    import sklearn.utils._tags as tags

    if not hasattr(tags, "_safe_tags"):  # dask-ml's model_selection imports it at import time
        tags._safe_tags = lambda estimator, key=None: {}
    try:
        import dask_ml.cluster
    except ImportError as exc:
        print(f"dask-ml not usable: {exc}", file=sys.stderr)
        return None
    return dask_ml.cluster


def start_cluster(n_workers):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    return cluster, Client(cluster, set_as_default=False)


def peak_memory(client, fn):
    """fn() while the workers' resident memory is sampled: (fn's result, {worker: (peak, peak minus
    the memory before)}) in bytes."""
    import threading

    import psutil

    def rss():
        return client.run(lambda: psutil.Process().memory_info().rss)

    before, peak, done = rss(), {}, threading.Event()

    def watch():
        while not done.is_set():
            for worker, value in rss().items():
                peak[worker] = max(peak.get(worker, 0), value)
            done.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = fn()
    finally:
        done.set()
        watcher.join()
    return result, {w: (peak.get(w, before[w]), peak.get(w, before[w]) - before[w]) for w in before}


def beyond_memory(X8, C0, iters, copies, limit, blocks):
    """The fit over a raw IDX file larger than the workers' memory limits together: a Markdown table."""
    import tempfile

    import dask
    from distributed import Client, LocalCluster

    import ckmeans
    import ckmeans.dask

    off = {f"distributed.worker.memory.{t}": False for t in ("target", "spill", "pause", "terminate")}
    with tempfile.TemporaryDirectory() as folder:
        path = common.Path(folder) / "big.idx"
        ckmeans.write_idx(path, np.concatenate([X8] * copies))
        size = path.stat().st_size
        with dask.config.set(off):
            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, memory_limit=limit, dashboard_address=":0"
            )
        with cluster, Client(cluster) as client:
            client.run(__import__, "ckmeans.dask")  # (the libraries' memory, before the fit's)
            X = ckmeans.dask.read_idx(path, chunks=-(-len(X8) * copies // blocks)).reshape(
                len(X8) * copies, -1
            )
            km = ckmeans.dask.KMeans(len(C0), init=C0, max_iter=iters, tol=0)
            limits = sum(w["memory_limit"] for w in client.scheduler_info()["workers"].values())
            (seconds, _), peaks = peak_memory(client, lambda: common.timed(km.fit, X))
    rows = [
        [
            f"{size / 1e6:.0f} MB",
            f"{limits / 1e6:.0f} MB",
            f"{seconds:.2f}",
            km.n_iter_,
            f"{km.inertia_:.6e}",
            ", ".join(f"{p / 1e6:.0f} MB (+{g / 1e6:.0f})" for p, g in peaks.values()),
        ]
    ]
    return common.markdown_table(
        [
            "raw IDX file",
            "memory limits (2 workers)",
            "s per fit",
            "iterations",
            "inertia",
            "peak RSS per worker",
        ],
        rows,
    )


def inertia_of(X, centres):
    """sum ||x - nearest centre||^2 in float64 (by ckmeans.KMeans.score), the same yardstick for every
    peer."""
    import ckmeans

    C = np.asarray(centres, dtype=np.float64)
    km = ckmeans.KMeans(len(C), init=C, max_iter=1).fit(C)  # fitted on its own centres: they stay
    return -km.score(X.astype(np.float64))


def fit_ckmeans(client, X, C0, iters):
    import ckmeans.dask

    with client.as_current():
        km = ckmeans.dask.KMeans(len(C0), init=C0, max_iter=iters, tol=0).fit(X)
    return km.cluster_centers_, km.n_iter_


def fit_dask_ml(client, X, C0, iters, dask_ml_cluster):
    with client.as_current(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = dask_ml_cluster.KMeans(n_clusters=len(C0), init=C0, max_iter=iters, tol=0).fit(X)
    return km.cluster_centers_, km.n_iter_


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", help="folder holding mnist/ (default: $CKMEANS_BENCH_DATA, ...)")
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--copies", type=int, default=4, help="MNIST copies stacked for the scaling table")
    p.add_argument("--blocks", type=int, default=8, help="row blocks of X")
    p.add_argument("--big-copies", type=int, default=16, help="MNIST copies in the beyond-memory file")
    p.add_argument("--memory-limit", default="250MB", help="each worker's limit in the beyond-memory fit")
    p.add_argument("--quick", action="store_true", help="5000 rows of MNIST, 1 copy: a smoke run")
    p.add_argument("--write", help="Markdown file whose bench-dask section gets the tables")
    args = p.parse_args(argv)
    import dask.array as da

    import ckmeans

    data = common.Path(args.data) if args.data else common.data_dir()
    X8, _ = common.load_idx_images(data / "mnist" / "train-images-idx3-ubyte.gz")
    if args.quick:
        X8, args.copies, args.big_copies, args.memory_limit = X8[:5000], 1, 4, "5MB"
    X32 = X8.astype(np.float32)
    # C0: rows of X (so the same numbers in float32 and uint8), the first of each k-means++ run's
    # cluster after one iteration from a seeded k-means++
    labels = ckmeans.kmeans(X32, args.k, random_state=0, max_iter=1).labels
    C0 = np.ascontiguousarray(X32[[np.flatnonzero(labels == j)[0] for j in range(args.k)]])
    dask_ml_cluster = import_dask_ml()
    clusters = {n: start_cluster(n) for n in (1, 2)}
    try:
        # -- peers on 2 workers, float32
        client = clusters[2][1]
        X = client.persist(da.from_array(X32, chunks=(-(-len(X32) // args.blocks), X32.shape[1])))
        peers = {"ckmeans.dask": lambda: fit_ckmeans(client, X, C0, args.iters)}
        if dask_ml_cluster is not None:
            peers["dask-ml"] = lambda: fit_dask_ml(client, X, C0, args.iters, dask_ml_cluster)
        times = {name: [] for name in peers}
        results = {}
        for fit in peers.values():  # a warm-up fit each: workers import the libraries
            fit()
        for _ in range(args.repeats):
            for name, fit in peers.items():
                t, results[name] = common.timed(fit)
                times[name].append(t)
        rows = []
        base = common.summarize(times["ckmeans.dask"])["median"]
        for name in peers:
            s = common.summarize(times[name])
            centres, n_iter = results[name]
            rows.append(
                [
                    name,
                    f"{s['median']:.3f}",
                    f"{s['min']:.3f}",
                    n_iter,
                    f"{s['median'] / base:.1f}",
                    f"{inertia_of(X32, centres):.6e}",
                ]
            )
        peers_table = common.markdown_table(
            ["peer", "s per fit (median)", "min", "iterations", "x ckmeans.dask", "inertia"], rows
        )
        # -- 1 vs 2 workers on stacked uint8
        Xbig = np.ascontiguousarray(np.concatenate([X8] * args.copies))
        C0u = C0.astype(np.float64)
        chunks = (-(-len(Xbig) // args.blocks), Xbig.shape[1])
        on = {n: clusters[n][1].persist(da.from_array(Xbig, chunks=chunks)) for n in (1, 2)}
        scale = {n: [] for n in (1, 2)}
        for n in (1, 2):
            fit_ckmeans(clusters[n][1], on[n], C0u, args.iters)  # warm-up
        for _ in range(args.repeats):
            for n in (1, 2):
                t, _ = common.timed(fit_ckmeans, clusters[n][1], on[n], C0u, args.iters)
                scale[n].append(t)
        s1, s2 = common.summarize(scale[1]), common.summarize(scale[2])
        scale_table = common.markdown_table(
            ["workers (1 thread each)", "s per fit (median)", "min", "speed-up"],
            [
                [1, f"{s1['median']:.3f}", f"{s1['min']:.3f}", "1.00"],
                [2, f"{s2['median']:.3f}", f"{s2['min']:.3f}", f"{s1['median'] / s2['median']:.2f}"],
            ],
        )
    finally:
        for cluster, client in clusters.values():
            client.close()
            cluster.close()
    big_table = beyond_memory(
        X8, C0.astype(np.float64), args.iters, args.big_copies, args.memory_limit, args.blocks
    )
    text = "\n\n".join(
        [
            "## ckmeans.dask (LocalCluster)",
            f"{common.machine_line(LIBRARIES)}; "
            f"{common.ckmeans_origin()}; {common.load_note()}. Read the ratios (peers took turns in every "
            "repeat) more than the absolute times.",
            f"Command: `{common.command_line(__file__, argv if argv is not None else sys.argv[1:], data)}`",
            f"Float32 MNIST train ({len(X32)} x {X32.shape[1]}), k={args.k}, {args.iters} iterations "
            f"(tol=0) from the same centres, {args.blocks} row blocks, LocalCluster of 2 worker processes "
            f"x 1 thread; median of {args.repeats} after a warm-up fit:",
            peers_table,
            f"uint8 MNIST x {args.copies} ({len(Xbig)} x {Xbig.shape[1]}), the same fit of ckmeans.dask "
            f"on 1 and on 2 worker processes (1 thread each):",
            scale_table,
            f"uint8 MNIST x {args.big_copies} as a raw IDX file read by ckmeans.dask.read_idx in "
            f"{args.blocks} blocks, the same fit on 2 worker processes (1 thread each) whose memory "
            "limits together are below the file's size (X not persisted):",
            big_table,
        ]
    )
    print(text)
    if args.write:
        common.replace_section(args.write, SECTION_KEY, text)


if __name__ == "__main__":
    main()
