"""The ``ckmeans`` command line (also ``python -m ckmeans``).

Commands: ``demo`` (bundled 8x8 digits, no download), ``fit`` (one clustering of a file or a
dataset), ``experiments`` (the notebooks' grid, see :mod:`ckmeans.experiments`), ``fetch``
(download a dataset) and ``info`` (build and runtime configuration).

Every failure the user can cause (missing or malformed file, bad option, impossible k) ends with
one line on stderr naming the problem and a non-zero exit code; ``--debug`` shows the traceback.
"""

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from ckmeans._progress import bars_enabled, progress

DATASETS = ("mnist", "fashion-mnist", "20newsgroups")
# What `fit` clusters for a dataset name: text on its full vocabulary (the experiments' text TF-IDF,
# sparse), not the notebook's 1000 dense features.
_FIT_DATASETS = {"20newsgroups": "20newsgroups-full"}
EXIT_ERROR = 1
EXIT_USAGE = 2


class CLIError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line (argparse would print the whole usage first); --help has the rest.
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not (value > 0 and np.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {text!r}")
    return value


def _say(args, text):
    if not args.quiet:
        print(text)


# ------------------------------------------------------------------------------------------ fit
def _read_sparse(path):
    """A scipy sparse matrix saved by ``scipy.sparse.save_npz``, as CSR; errors name the file."""
    import zipfile

    import scipy.sparse as sp

    if not zipfile.is_zipfile(path):
        raise CLIError(f"{path}: not a .npz archive (a scipy sparse matrix saved by scipy.sparse.save_npz)")
    try:
        return sp.load_npz(path).tocsr()
    except Exception as exc:  # a damaged archive fails anywhere inside scipy's reader
        raise CLIError(
            f"{path}: not a sparse matrix saved by scipy.sparse.save_npz ({_one_line(exc)})"
        ) from exc


def _read_array(path, what):
    """A .npy file, a .npz sparse matrix or an IDX file (gzipped or raw) as an array (CSR for .npz);
    errors name the file."""
    from ckmeans.idx import read_idx

    path = Path(path)
    if not path.is_file():
        raise CLIError(f"{what} file not found: {path}")
    if path.suffix == ".npz":
        return _read_sparse(path)
    if path.suffix == ".npy":
        try:
            return np.load(path, allow_pickle=False)
        except ValueError as exc:
            raise CLIError(f"{path}: not a readable .npy array ({exc})") from exc
    return read_idx(path)


def _load_input(args):
    """``(X, y or None, image side or None, (terms, class names) or None)`` from INPUT and
    --labels; X is CSR for a .npz file and for text."""
    from ckmeans.experiments import load_dataset

    y, side, text = None, None, None
    if args.input in DATASETS:
        data = load_dataset(_FIT_DATASETS.get(args.input, args.input), args.data_dir, subset=args.subset)
        X, y, side = data.X, data.y, data.image_side
        if data.terms is not None:
            text = data.terms, data.class_names
    else:
        X = _read_array(args.input, "input")
        if X.ndim < 2:
            raise CLIError(f"{args.input}: expected one sample per row (2-D or more), got shape {X.shape}")
        if 0 in X.shape:
            raise CLIError(f"{args.input}: no data to cluster: shape {X.shape}")
        if X.ndim == 3 and X.shape[1] == X.shape[2]:
            side = X.shape[1]
        if X.ndim > 2:
            X = X.reshape(X.shape[0], -1)
    if args.labels:
        y = _read_array(args.labels, "labels")
        if y.ndim != 1:
            raise CLIError(f"{args.labels}: expected one label per row (1-D), got shape {y.shape}")
        if y.shape[0] != X.shape[0]:
            raise CLIError(f"{args.labels} has {y.shape[0]} labels but the input has {X.shape[0]} rows")
    if args.scale == "unit":
        if X.dtype != np.uint8:
            raise CLIError(f"--scale unit divides 8-bit pixels by 255; the input is {X.dtype}")
        X = X / 255.0
    return X, y, side, text


def _fit_once(args, X, seed_state, verbose):
    """One run; options left unset take the engine's defaults (hard and soft differ)."""
    from ckmeans import kmeans, soft_kmeans

    given = {name: getattr(args, name) for name in ("max_iter", "tol") if getattr(args, name) is not None}
    if args.spherical:
        given["spherical"] = True
    if args.scheduler:
        return _fit_on_dask(args, X, seed_state, verbose, given)
    if args.soft:
        res = soft_kmeans(
            X,
            args.n_clusters,
            args.beta,
            init=args.init,
            n_init=1,
            random_state=seed_state,
            n_threads=args.threads,
            verbose=verbose,
            **given,
        )
        return res, float(res.objective)
    res = kmeans(
        X,
        args.n_clusters,
        init=args.init,
        n_init=1,
        random_state=seed_state,
        n_threads=args.threads,
        verbose=verbose,
        **given,
    )
    return res, res.inertia


@contextlib.contextmanager
def _dask_client(address):
    """``fit --scheduler``'s dask.distributed Client, made the current one: the scheduler at ADDRESS,
    or 'local' for a LocalCluster on this machine; nothing without --scheduler."""
    if address is None:
        yield
        return
    try:
        from ckmeans.dask import _cli as on_dask
    except ImportError as exc:
        raise CLIError(f"--scheduler needs the Dask extra: pip install 'ckmeans[dask]' ({exc})") from exc
    with contextlib.ExitStack() as stack:
        try:
            client = on_dask.connect(address, stack)
        except OSError as exc:
            raise CLIError(f"--scheduler {address}: cannot reach the scheduler ({exc})") from exc
        with client.as_current():
            yield


def _fit_on_dask(args, X, seed_state, verbose, given):
    """One run through ckmeans.dask on the current cluster, as the in-memory engine's result."""
    from ckmeans._kmeans import KMeansResult
    from ckmeans._soft import SoftKMeansResult
    from ckmeans.dask import _cli as on_dask

    params = dict(init=args.init, n_init=1, random_state=seed_state, verbose=verbose, **given)
    # (a block's kernel runs on its worker's threads: one unless --threads says more)
    params["n_threads"] = 1 if args.threads is None else args.threads
    if args.soft:
        est, labels, resp = on_dask.fit(X, True, args.n_clusters, beta=args.beta, **params)
        res = SoftKMeansResult(
            est.cluster_centers_,
            resp,
            labels,
            est.objective_,
            est.n_iter_,
            est.converged_,
            est.objective_history_,
            est.beta_,
        )
        return res, res.objective
    est, labels, _ = on_dask.fit(X, False, args.n_clusters, **params)
    res = KMeansResult(
        est.cluster_centers_, labels, est.inertia_, est.n_iter_, est.converged_, est.inertia_history_, "lloyd"
    )
    return res, res.inertia


# Files a fit may leave in --out: a folder holding only these is an earlier run's, safe to replace.
_FIT_OUTPUTS = {"centroids.npy", "labels.npy", "responsibilities.npy", "metrics.json", "top_terms.csv"} | {
    "centroids.png",
    "contingency.png",
}


def _check_out(out):
    """--out before any work: a new path in a writable folder, or a folder of an earlier run."""
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} is an existing file, not a folder")
    if out.is_dir():
        others = sorted(p.name for p in out.iterdir() if p.name not in _FIT_OUTPUTS)
        if others:
            raise CLIError(
                f"--out {out} holds files that are not a fit's ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}); give a new folder or an earlier run's"
            )
    parent = out.resolve().parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise CLIError(f"--out {out}: cannot create folders in {parent}")


class _OutputFolder:
    """Writes go to a temporary folder beside --out, renamed into place only when all are written:
    --out then holds exactly this run's files (an earlier run's folder is replaced as a whole), or,
    after an error or an interrupt, stays as it was."""

    def __init__(self, out):
        self.out = out
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.resolve().parent))

    def __enter__(self):
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            old = None
            if self.out.is_dir():
                old = self.tmp.with_name(self.tmp.name + ".old")
                os.rename(self.out, old)
            os.rename(self.tmp, self.out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def cmd_fit(args):
    out = Path(args.out)
    _check_out(out)
    X, y, side, text = _load_input(args)
    if not 1 <= args.n_clusters <= X.shape[0]:
        raise CLIError(f"-k {args.n_clusters} is impossible with {X.shape[0]} samples (need 1 <= k <= n)")
    # Runs draw their seeds one after the other from one RandomState, as kmeans(n_init=...) does,
    # so a bar can follow the runs; the lowest objective wins.
    seed_state = np.random.RandomState(args.seed)
    best, best_value = None, np.inf
    start = time.perf_counter()
    with _dask_client(args.scheduler):
        for run in progress(range(args.n_init), desc="fit", enabled=bars_enabled(args.quiet), unit="run"):
            if args.verbose and args.n_init > 1:
                print(f"run {run + 1} of {args.n_init}")
            res, value = _fit_once(args, X, seed_state, args.verbose)
            if value < best_value:
                best, best_value = res, value
    seconds = time.perf_counter() - start

    with _OutputFolder(out) as folder:
        written, summary = _write_fit(args, folder, X, y, side, best, best_value, seconds)
        if text is not None:
            written.append(_write_top_terms(folder, best, y, *text))
    model = f"soft k-means (beta={args.beta:g})" if args.soft else "k-means"
    if args.spherical:
        model = f"spherical {model}"
    _say(
        args,
        f"{model}, k={args.n_clusters}, on {_describe(X)}: objective "
        f"{best_value:.8g}, {best.n_iter} iterations "
        f"({'converged' if best.converged else 'not converged'}), {seconds:.2f} s",
    )
    if y is not None:
        soft = "soft " if args.soft else ""
        _say(
            args,
            f"{soft}purity {summary['purity']:.4f}, {soft}Gini {summary['gini']:.4f}, accuracy "
            f"{summary['accuracy_majority']:.4f} (majority) {summary['accuracy_hungarian']:.4f} "
            f"(Hungarian), NMI {summary['nmi']:.4f}, ARI {summary['ari']:.4f}",
        )
    _say(args, f"wrote {', '.join(written)} in {out}")
    return 0


def _describe(X):
    """Shape and type of the input for the summary line, with the nonzeros of a sparse one."""
    import scipy.sparse as sp

    text = f"{X.shape[0]} x {X.shape[1]} {X.dtype}"
    return f"{text} CSR ({X.nnz} nonzeros)" if sp.issparse(X) else text


def _write_top_terms(out, res, y, terms, class_names):
    """top_terms.csv: each cluster's size, majority class and share (with labels) and top terms."""
    import csv

    from ckmeans.experiments import cluster_terms

    rows = cluster_terms(res.centroids, res.labels, terms, y, class_names)
    with open(out / "top_terms.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["cluster", "size", "majority", "majority_share", "top_terms"])
        for r in rows:
            share = f"{r['majority_share']:.4f}" if "majority" in r else ""
            writer.writerow([r["cluster"], r["size"], r.get("majority", ""), share, " ".join(r["terms"])])
    return "top_terms.csv"


def _write_fit(args, out, X, y, side, best, best_value, seconds):
    """The fit's files in folder out; returns their names and the summary of metrics.json."""
    np.save(out / "centroids.npy", best.centroids)
    np.save(out / "labels.npy", best.labels)
    written = ["centroids.npy", "labels.npy"]
    summary = {
        "input": args.input,
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "dtype": str(X.dtype),
        "model": "soft" if args.soft else "hard",
        "spherical": args.spherical,
        "sparse": not isinstance(X, np.ndarray),
        "n_clusters": args.n_clusters,
        "beta": args.beta if args.soft else None,
        "init": args.init,
        "n_init": args.n_init,
        "seed": args.seed,
        "scale": args.scale,
        "objective": float(best_value),
        "n_iter": int(best.n_iter),
        "converged": bool(best.converged),
        "seconds": round(seconds, 3),
    }
    if args.soft:
        np.save(out / "responsibilities.npy", best.responsibilities)
        written.append("responsibilities.npy")
    if y is not None:
        from ckmeans.experiments import score

        summary.update(score(y, best.labels, best.responsibilities if args.soft else None))
    (out / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    written.append("metrics.json")
    if args.plot:
        written += _fit_plots(out, X, y, best, side)
        if not side:
            _say(args, "note: no centroids.png: the input is not square images")
    return written, summary


def _fit_plots(out, X, y, res, side):
    from ckmeans import metrics, plots

    written = []
    k = res.centroids.shape[0]
    if side:
        titles = None
        if y is not None:
            table = metrics.contingency_matrix(y, res.labels, n_clusters=k)
            titles = [
                f"{table.classes[m]} (n={s})"
                for m, s in zip(table.table.argmax(axis=0), table.table.sum(axis=0))
            ]
        written.append(
            plots.centroid_grid(res.centroids, out / "centroids.png", side=side, titles=titles).name
        )
    if y is not None:
        table = metrics.contingency_matrix(y, res.labels, n_clusters=k)
        written.append(
            plots.contingency_heatmap(
                table.table, out / "contingency.png", class_names=table.classes.tolist()
            ).name
        )
    return written


# ----------------------------------------------------------------------------------------- demo
def cmd_demo(args):
    from sklearn.datasets import load_digits

    from ckmeans import kmeans, metrics, soft_kmeans

    X, y = load_digits(return_X_y=True)
    k = 10
    _say(
        args,
        f"scikit-learn's 8x8 digits: {X.shape[0]} images, {X.shape[1]} pixels (0..16), "
        f"{k} classes; k={k}, seed {args.seed}",
    )
    rows = []
    start = time.perf_counter()
    hard = kmeans(X, k, random_state=args.seed, n_init=args.n_init, n_threads=args.threads)
    rows.append(("hard k-means", hard, None, time.perf_counter() - start))
    start = time.perf_counter()
    soft = soft_kmeans(X, k, args.beta, random_state=args.seed, n_threads=args.threads)
    rows.append(
        (f"soft k-means, beta={args.beta:g}", soft, soft.responsibilities, time.perf_counter() - start)
    )

    from ckmeans.experiments import score

    header = ("model", "objective", "purity", "Gini", "accuracy", "seconds")
    table = [header]
    for name, res, R, seconds in rows:
        s = score(y, res.labels, R)
        table.append(
            (
                name,
                f"{metrics.objective(X, res.centroids, res.labels):.1f}",
                f"{s['purity']:.4f}",
                f"{s['gini']:.4f}",
                f"{s['accuracy_hungarian']:.4f}",
                f"{seconds:.3f}",
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        _say(args, "  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            _say(args, "  ".join("-" * w for w in widths))
    _say(
        args,
        "objective: sum of squared distances to the assigned centre; soft rows: soft purity and "
        "Gini (from responsibilities); accuracy: Hungarian one-to-one mapping of clusters to digits",
    )
    if args.plot:
        from ckmeans import plots

        out = Path(args.plot)
        out.mkdir(parents=True, exist_ok=True)
        table = metrics.contingency_matrix(y, hard.labels, n_clusters=k).table
        titles = [f"{m} (n={n})" for m, n in zip(table.argmax(axis=0), table.sum(axis=0))]
        path = plots.centroid_grid(
            hard.centroids,
            out / "demo_centroids.png",
            side=8,
            titles=titles,
            suptitle="8x8 digits, hard k-means: majority digit (size)",
        )
        _say(args, f"wrote {path}")
    return 0


# ---------------------------------------------------------------------------------- experiments
def cmd_experiments(args):
    from ckmeans.experiments import run_experiments

    command = "ckmeans " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["experiments"] else None
    report = run_experiments(
        args.data_dir,
        args.out,
        quick=args.quick,
        notebook_seeds=args.notebook_seeds,
        seed=args.seed,
        n_threads=args.threads,
        plots=not args.no_plots,
        command=command,
        show_progress=bars_enabled(args.quiet),
        log=None if args.quiet or not args.verbose else print,
    )
    _say(args, (Path(args.out) / "results.md").read_text())
    _say(args, f"wrote results.md, results.json and {len(report['plots'])} plots in {args.out}")
    return 0


# ------------------------------------------------------------------------------------ fetch, info
def cmd_fetch(args):
    from ckmeans.datasets import fetch

    folder = fetch(args.name, data_home=args.data_home)
    _say(args, f"{args.name}: {folder}")
    return 0


def cmd_info(args):
    from ckmeans import show_config

    show_config()
    return 0


# --------------------------------------------------------------------------------------- parser
def build_parser():
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors, no progress bars"
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", help="per-iteration objective and more detail"
    )
    common.add_argument("--debug", action="store_true", help="show the traceback on errors")
    run = argparse.ArgumentParser(add_help=False)
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads (default all usable cores; negative counts back from all)",
    )

    parser = _Parser(
        prog="ckmeans", description="Exact, fast k-means: demo, fit, the notebooks' experiments."
    )
    from ckmeans import __version__

    parser.add_argument("--version", action="version", version=f"ckmeans {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "demo",
        parents=[common, run],
        help="cluster scikit-learn's 8x8 digits (no download)",
        description="Hard and soft k-means on scikit-learn's bundled 8x8 digits.",
    )
    p.add_argument("--beta", type=_positive_float, default=1.0, help="soft k-means stiffness (default 1)")
    p.add_argument("--n-init", type=_positive_int, default=1, help="hard k-means runs (default 1)")
    p.add_argument("--plot", metavar="DIR", help="also write the centroid picture into DIR")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "fit",
        parents=[common, run],
        help="cluster a file or a dataset",
        description="Cluster INPUT: an IDX file (.gz or raw), a .npy file, a scipy sparse matrix "
        f"saved by scipy.sparse.save_npz (.npz), or a dataset name ({', '.join(DATASETS)}; "
        "20newsgroups is TF-IDF over the full vocabulary, sparse). Writes centroids.npy, labels.npy "
        "and metrics.json into --out, and top_terms.csv for text.",
    )
    p.add_argument("input", metavar="INPUT")
    p.add_argument("-k", "--n-clusters", type=_positive_int, default=10, help="clusters (default 10)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--soft", action="store_true", help="soft k-means")
    mode.add_argument("--hard", dest="soft", action="store_false", help="hard k-means (default)")
    p.add_argument("--beta", type=_positive_float, default=1.0, help="soft k-means stiffness (default 1)")
    p.add_argument(
        "--spherical",
        action="store_true",
        help="spherical k-means: rows scaled to unit length, clusters by cosine (text)",
    )
    p.add_argument("--init", choices=("k-means++", "random"), default="k-means++")
    p.add_argument("--n-init", type=_positive_int, default=1, help="runs; the lowest objective wins")
    p.add_argument("--max-iter", type=_positive_int, help="iterations per run (default 300 hard, 100 soft)")
    p.add_argument(
        "--tol",
        type=float,
        help="hard: relative tolerance (default 1e-4); soft: centre-shift "
        "norm (default 1e-5); 0 runs to a fixed point / max-iter",
    )
    p.add_argument(
        "--scale",
        choices=("raw", "unit"),
        default="raw",
        help="raw: pixels 0..255 as the notebooks; unit: pixels / 255",
    )
    p.add_argument("--labels", metavar="FILE", help="true labels (.npy or IDX) for purity, Gini, ...")
    p.add_argument(
        "--data-dir",
        metavar="DIR",
        help="folder with mnist/, fashion-mnist/, 20newsgroups/ (default: the loaders' search)",
    )
    p.add_argument("--subset", choices=("train", "test"), default="train", help="for a dataset name")
    p.add_argument(
        "--out",
        metavar="DIR",
        default="ckmeans_fit",
        help="output folder (default ckmeans_fit), checked before the fit; the files are written "
        "beside it and moved into place together, replacing an earlier run's folder as a whole",
    )
    p.add_argument(
        "--plot",
        action="store_true",
        help="also write contingency.png (with labels) and centroids.png (square images only)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="fit through ckmeans.dask on the dask.distributed scheduler at ADDRESS (tcp://host:8786), "
        "or 'local' for a LocalCluster on this machine; --threads is then per block on a worker (default 1)",
    )
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser(
        "experiments",
        parents=[common, run],
        help="the notebooks' experiments, end to end",
        description="MNIST and Fashion-MNIST hard k-means (k = 5, 10, 20), MNIST soft "
        "k-means (beta = 0.1, 1, 10), 20 Newsgroups TF-IDF k = 20 (the notebook's 1000 features, and "
        "spherical k-means on the full vocabulary with each cluster's top terms); writes "
        "OUT/results.md, OUT/results.json and plots.",
    )
    p.add_argument("--data-dir", metavar="DIR", help="folder with mnist/, fashion-mnist/, 20newsgroups/")
    p.add_argument("--out", metavar="OUT", required=True, help="output folder")
    p.add_argument("--quick", action="store_true", help="subsampled, fewer settings (CI, under 2 minutes)")
    p.add_argument(
        "--notebook-seeds",
        action="store_true",
        help="start from the notebook's centres (np.random.seed(96), choice(n, k))",
    )
    p.add_argument("--no-plots", action="store_true", help="skip the PNG files")
    p.set_defaults(func=cmd_experiments)

    p = sub.add_parser("fetch", parents=[common], help="download a dataset into the data home")
    p.add_argument("name", choices=DATASETS)
    p.add_argument("--data-home", metavar="DIR", help="default ~/ckmeans_data or $CKMEANS_DATA_HOME")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("info", parents=[common], help="build and runtime configuration")
    p.set_defaults(func=cmd_info)
    return parser


def _one_line(exc):
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def main(argv=None):
    args = build_parser().parse_args(argv)
    prog = f"ckmeans {args.command}"
    if args.debug:
        return args.func(args)

    def show_warning(message, category, filename, lineno, file=None, line=None):
        print(f"{prog}: warning: {_one_line(message)}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show_warning
        try:
            return args.func(args)
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        except (CLIError, OSError, ValueError, TypeError, ImportError, MemoryError, EOFError) as exc:
            print(f"{prog}: error: {_one_line(exc)}", file=sys.stderr)
            return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
