"""The original notebooks' experiments, end to end: ``ckmeans experiments``.

Grid (``GRID``): hard k-means on MNIST and Fashion-MNIST for k in {5, 10, 20}, soft k-means on MNIST
for beta in {0.1, 1, 10} (k = 10), and hard k-means on 20 Newsgroups TF-IDF (1000 features) with
k = 20. Pixels stay raw 0..255 like the notebooks. Every row reports the objective, purity, Gini
(their soft variants for soft k-means), accuracy by majority and Hungarian mapping, NMI, ARI,
iterations and seconds, and beside them what the notebook's code computes on the same data.

Beside the notebooks' grid, one row the notebooks could not run: spherical k-means (k = 20,
k-means++, best of ``SPHERICAL_N_INIT``) on 20 Newsgroups TF-IDF over the full vocabulary
(``TEXT_TFIDF``, kept as CSR), reported with the top terms of each cluster (``cluster_terms``).

The notebooks' printed numbers are not kept in this project, so the "notebook" numbers are
*computed* by a re-implementation of the notebooks' code with its quirks (``notebook_run``):

* initial centres: NumPy's legacy ``np.random.seed(96)`` then ``np.random.choice(n, k,
  replace=False)`` rows (n = 60000 for the full MNIST training set);
* ``[wrap]`` hard k-means' first assignment subtracted the uint8 image arrays, so every negative
  pixel difference wrapped around modulo 256 before being squared; later assignments used the float
  centres of the first update and are correct. (Assumed form: ``norm(X - c)`` with the difference
  in uint8 and the square and sum exact; the notebook's exact expression is not available here.)
* ``[11314]`` purity and Gini were divided by a hard-coded 11314 (the size of the 20 Newsgroups
  training set) instead of the number of points n, which scales them by n / 11314 (5.30 on MNIST);
* ``[k10]`` the cell labelled "k=20" for 20 Newsgroups ran k = 10 (``NOTEBOOK_K``).

``[seeds]`` marks rows where ckmeans started from other centres (k-means++ seeded by ``--seed``);
``--notebook-seeds`` starts ckmeans from the notebook's centres so only the quirks differ.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ckmeans import metrics
from ckmeans._kmeans import kmeans
from ckmeans._progress import progress

__all__ = [
    "GRID",
    "QUICK_GRID",
    "TEXT_TFIDF",
    "Dataset",
    "Setting",
    "cluster_terms",
    "load_dataset",
    "notebook_centres",
    "notebook_run",
    "run_experiments",
    "score",
    "tfidf_text",
]

NOTEBOOK_SEED = 96
NOTEBOOK_N = 11314
# What the notebook actually ran for a setting whose k it labelled differently.
NOTEBOOK_K = {("20newsgroups", 20): 10}
# Hard k-means runs until the labels stop changing (tol=0), as the notebooks did; this bounds it.
HARD_MAX_ITER = 300
SOFT_MAX_ITER = 100
TFIDF_FEATURES = 1000
# Text clustering's TF-IDF, used by the full-vocabulary row and by `ckmeans fit 20newsgroups`:
# sublinear tf and English stop words keep frequent words from dominating the cosine; min_df drops
# words seen once (mostly typos and numbers), max_df words in most documents.
TEXT_TFIDF = {"sublinear_tf": True, "stop_words": "english", "min_df": 2, "max_df": 0.5}
# Spherical k-means runs on text: the best of this many k-means++ starts (quick runs: fewer).
SPHERICAL_N_INIT = 10
QUICK_SPHERICAL_N_INIT = 3
TOP_TERMS = 10
QUICK_SAMPLES = {"mnist": 5000, "fashion-mnist": 5000, "20newsgroups": 3000, "20newsgroups-full": 3000}

NOTES = {
    "seeds": "different initial centres: ckmeans used k-means++ (--seed), the notebook "
    "np.random.seed(96) + np.random.choice(n, k) rows (use --notebook-seeds to share them)",
    "wrap": "the notebook's first assignment subtracted uint8 images, so negative pixel differences "
    "wrapped around modulo 256: a wrong first partition, from which Lloyd may reach another fixed point",
    "11314": "the notebook divided purity and Gini by a hard-coded 11314 (the 20 Newsgroups training "
    "size) instead of n, scaling them by n / 11314",
    "k10": 'the notebook\'s "k=20" run used k=10',
    "text": "not in the notebooks, which densified 20 Newsgroups to 1000 features: spherical k-means "
    "on the full vocabulary (TF-IDF with sublinear tf, English stop words, min_df=2, max_df=0.5, "
    "kept sparse), best of n_init k-means++ starts; the objective is sum(1 - cosine)",
}


@dataclass(frozen=True)
class Setting:
    dataset: str  # 'mnist', 'fashion-mnist', '20newsgroups' (1000 features) or '20newsgroups-full'
    model: str  # 'hard', 'soft' or 'spherical' (hard k-means by cosine)
    k: int
    beta: float = None

    @property
    def name(self):
        tail = f"k{self.k}" if self.beta is None else f"k{self.k}_beta{self.beta:g}"
        return f"{self.dataset}_{self.model}_{tail}"


GRID = (
    [Setting("mnist", "hard", k) for k in (5, 10, 20)]
    + [Setting("fashion-mnist", "hard", k) for k in (5, 10, 20)]
    + [Setting("mnist", "soft", 10, beta) for beta in (0.1, 1.0, 10.0)]
    + [Setting("20newsgroups", "hard", 20), Setting("20newsgroups-full", "spherical", 20)]
)
QUICK_GRID = (
    [Setting("mnist", "hard", k) for k in (5, 10)]
    + [Setting("fashion-mnist", "hard", 10)]
    + [Setting("mnist", "soft", 10, beta) for beta in (1.0, 10.0)]
    + [Setting("20newsgroups", "hard", 20), Setting("20newsgroups-full", "spherical", 20)]
)

DATASET_TITLES = {
    "mnist": "MNIST",
    "fashion-mnist": "Fashion-MNIST",
    "20newsgroups": "20 Newsgroups",
    "20newsgroups-full": "20 Newsgroups full vocabulary",
}
FASHION_NAMES = [
    "T-shirt",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Boot",
]


# ----------------------------------------------------------------------------------------- data
def subsample(n, m):
    """Sorted indices of ``m`` of ``n`` rows, the same every run (all classes of ordered data)."""
    if m >= n:
        return np.arange(n)
    return np.sort(np.random.RandomState(0).choice(n, m, replace=False))


def tfidf_20newsgroups(documents):
    """The notebook's features: scikit-learn's TfidfVectorizer(max_features=1000) with its defaults
    (lower case, l2-normalised rows), densified to float64 (sparse input is not supported yet)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(max_features=TFIDF_FEATURES).fit_transform(documents).toarray()


def tfidf_text(documents):
    """``(X, terms)``: TF-IDF of the documents with ``TEXT_TFIDF`` over the full vocabulary, as
    float64 CSR (never densified), and the term of each column."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(**TEXT_TFIDF)
    X = vectorizer.fit_transform(documents).tocsr()
    return X, vectorizer.get_feature_names_out()


class Dataset(NamedTuple):
    X: object  # array, or scipy CSR for text
    y: np.ndarray
    class_names: list
    image_side: int | None  # images: the side of the square; else None
    terms: np.ndarray | None = None  # text: the term of each column; else None


def load_dataset(name, data_dir=None, *, subset="train", n_samples=None):
    """The ``Dataset`` of a dataset name; ``data_dir`` holds its subfolder.

    MNIST-style images come as raw uint8 pixels (n, 784); '20newsgroups' as the notebook's dense
    TF-IDF features, '20newsgroups-full' as ``tfidf_text`` CSR with its terms.
    ``n_samples`` keeps a fixed random subset of the rows (before TF-IDF, for 20 Newsgroups).
    """
    from ckmeans.datasets import load_20newsgroups, load_mnist

    folder = None if data_dir is None else Path(data_dir) / name.removesuffix("-full")
    if name in ("mnist", "fashion-mnist"):
        X, y = load_mnist(folder, subset=subset, kind="mnist" if name == "mnist" else "fashion")
        keep = subsample(len(y), n_samples or len(y))
        names = FASHION_NAMES if name == "fashion-mnist" else [str(d) for d in range(10)]
        return Dataset(X[keep], y[keep], names, 28)
    if name in ("20newsgroups", "20newsgroups-full"):
        documents, y, names = load_20newsgroups(folder, subset=subset)
        keep = subsample(len(y), n_samples or len(y))
        documents = [documents[i] for i in keep]
        if name == "20newsgroups":
            return Dataset(tfidf_20newsgroups(documents), y[keep], names, None)
        X, terms = tfidf_text(documents)
        return Dataset(X, y[keep], names, None, terms)
    raise ValueError(f"unknown dataset {name!r}: expected one of {', '.join(DATASET_TITLES)}")


# -------------------------------------------------------------------------------------- scoring
def score(y, labels, responsibilities=None):
    """Every label-based quality measure of one clustering, as a dict of floats.

    With ``responsibilities`` (soft k-means) purity and Gini are the soft variants; accuracies, NMI
    and ARI always use the hard ``labels``.
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if responsibilities is None:
        purity, gini = metrics.purity(y, labels), metrics.gini(y, labels)
    else:
        purity = metrics.soft_purity(y, responsibilities)
        gini = metrics.soft_gini(y, responsibilities)
    return {
        "purity": purity,
        "gini": gini,
        "accuracy_majority": metrics.map_clusters(y, labels, "majority")[1],
        "accuracy_hungarian": metrics.map_clusters(y, labels, "hungarian")[1],
        "nmi": float(normalized_mutual_info_score(y, labels)),
        "ari": float(adjusted_rand_score(y, labels)),
    }


def cluster_terms(centroids, labels, terms, y=None, class_names=None, n_terms=TOP_TERMS):
    """One dict per cluster: its size, the ``n_terms`` terms of largest centroid weight (ties in
    column order) and, with true labels ``y``, its majority class (named by ``class_names`` when
    given, as ``y`` indexes them) and that class's share of the cluster."""
    k = centroids.shape[0]
    sizes = np.bincount(labels, minlength=k)
    top = np.argsort(-centroids, axis=1, kind="stable")[:, :n_terms]
    rows = [{"cluster": j, "size": int(sizes[j]), "terms": [str(terms[i]) for i in top[j]]} for j in range(k)]
    if y is not None:
        table = metrics.contingency_matrix(y, labels, n_clusters=k)
        for j, row in enumerate(rows):
            majority = table.classes[table.table[:, j].argmax()]
            row["majority"] = str(class_names[majority] if class_names is not None else majority)
            row["majority_share"] = float(table.table[:, j].max() / sizes[j]) if sizes[j] else 0.0
    return rows


# --------------------------------------------------------------------------------- the notebook
def notebook_centres(X, k):
    """The notebook's initial centres: ``np.random.seed(96); X[np.random.choice(n, k, replace=False)]``.

    A private ``RandomState(96)`` draws the same rows as the legacy global calls without touching
    NumPy's global generator.
    """
    return X[np.random.RandomState(NOTEBOOK_SEED).choice(X.shape[0], k, replace=False)]


def _wrapped_first_step(X, centres, chunk=4096):
    """The notebook's first assignment and update for uint8 X.

    ``X - c`` on uint8 arrays wraps modulo 256 (e.g. 3 - 5 = 254), and that wrapped difference is
    what got squared and summed. Returns the float64 centres of the update that followed (a cluster
    left empty keeps its initial centre).
    """
    k = centres.shape[0]
    labels = np.empty(X.shape[0], dtype=np.int64)
    for start in range(0, X.shape[0], chunk):
        block = X[start : start + chunk]
        dist = np.empty((block.shape[0], k), dtype=np.int64)
        for j in range(k):
            diff = (block - centres[j]).astype(np.int64)  # the uint8 subtraction wraps here
            dist[:, j] = np.einsum("ij,ij->i", diff, diff)
        labels[start : start + chunk] = dist.argmin(axis=1)
    sums = np.zeros((k, X.shape[1]))
    np.add.at(sums, labels, X)
    counts = np.bincount(labels, minlength=k)
    updated = centres.astype(np.float64)
    filled = counts > 0
    updated[filled] = sums[filled] / counts[filled, None]
    return updated


def notebook_run(X, y, setting, *, n_threads=None, reuse=None):
    """What the notebook's code computes for ``setting`` on (X, y), quirks included.

    ``reuse`` is a ckmeans run that started from the notebook's centres with the notebook's k; it
    is then the notebook's run too unless the uint8 wrap-around changes the first step.
    Returns a dict (k, objective, purity, gini, n_iter) and the list of quirks that applied.
    """
    quirks = []
    k = NOTEBOOK_K.get((setting.dataset, setting.k), setting.k)
    if k != setting.k:
        quirks.append("k10")
    wraps = setting.model == "hard" and X.dtype == np.uint8
    if wraps:
        quirks.append("wrap")
    if reuse is not None and not wraps and k == setting.k:
        run = reuse
    else:
        centres = notebook_centres(X, k)
        first_iter = 0
        if wraps:
            centres, first_iter = _wrapped_first_step(X, centres), 1
        run = _fit(X, y, setting, k, centres, None, n_threads)
        run["n_iter"] += first_iter
    scale = len(y) / NOTEBOOK_N
    if scale != 1:
        quirks.append("11314")
    return {
        "k": k,
        "objective": run["objective"],
        "purity": run["scores"]["purity"] * scale,
        "gini": run["scores"]["gini"] * scale,
        "n_iter": run["n_iter"],
    }, quirks


# ------------------------------------------------------------------------------------ the runs
def _fit(X, y, setting, k, init, seed, n_threads, n_init=1):
    """One ckmeans run of ``setting`` with ``k`` clusters from ``init`` (the best of ``n_init``),
    timed (the fit only) and scored against ``y``."""
    start = time.perf_counter()
    if setting.model in ("hard", "spherical"):
        res = kmeans(
            X,
            k,
            init=init,
            n_init=n_init,
            max_iter=HARD_MAX_ITER,
            tol=0,
            random_state=seed,
            n_threads=n_threads,
            spherical=setting.model == "spherical",
        )
        R, objective = None, res.inertia
    else:
        from ckmeans import soft_kmeans

        res = soft_kmeans(
            X, k, setting.beta, init=init, max_iter=SOFT_MAX_ITER, random_state=seed, n_threads=n_threads
        )
        R, objective = res.responsibilities, res.objective
    seconds = time.perf_counter() - start
    return {
        "result": res,
        "objective": float(objective),
        "n_iter": int(res.n_iter),
        "converged": bool(res.converged),
        "seconds": seconds,
        "scores": score(y, res.labels, R),
    }


def run_setting(X, y, setting, *, seed=0, notebook_seeds=False, n_threads=None, quick=False):
    """One row of the results table: our run, its scores, and the notebook's numbers beside it
    (None for the spherical row, which the notebooks had no counterpart of: it always starts from
    k-means++, the best of several starts)."""
    n_init = 1
    if setting.model == "spherical":
        n_init = QUICK_SPHERICAL_N_INIT if quick else SPHERICAL_N_INIT
        notebook_seeds = False
    init = notebook_centres(X, setting.k) if notebook_seeds else "k-means++"
    ours = _fit(X, y, setting, setting.k, init, seed, n_threads, n_init)
    if setting.model == "spherical":
        notebook, quirks = None, ["text"]
    else:
        notebook, quirks = notebook_run(
            X, y, setting, n_threads=n_threads, reuse=ours if notebook_seeds else None
        )
        if not notebook_seeds:
            quirks.insert(0, "seeds")
    res = ours["result"]
    row = {
        "name": setting.name,
        "dataset": setting.dataset,
        "model": setting.model,
        "k": setting.k,
        "beta": setting.beta,
        "n_samples": int(X.shape[0]),
        "n_features": int(X.shape[1]),
        "init": "notebook" if notebook_seeds else "k-means++",
        "n_init": n_init,
        "objective": ours["objective"],
        **ours["scores"],
        "n_iter": ours["n_iter"],
        "converged": ours["converged"],
        "seconds": round(ours["seconds"], 3),
        "notebook": notebook,
        "differences": quirks,
    }
    return row, res


def _plots(out, setting, X, y, res, names, side, row):
    """Centroid grid (images only) and contingency heat map of one run; returns the file names."""
    from ckmeans import plots

    table = metrics.contingency_matrix(y, res.labels, n_clusters=setting.k).table
    written = []
    title = f"{DATASET_TITLES[setting.dataset]} {setting.model} k-means, k={setting.k}"
    if setting.beta is not None:
        title += f", beta={setting.beta:g}"
    if side:
        majority = table.argmax(axis=0)
        sizes = table.sum(axis=0)
        titles = [f"{names[m]} (n={s})" for m, s in zip(majority, sizes)]
        written.append(
            plots.centroid_grid(
                res.centroids,
                out / f"centroids_{setting.name}.png",
                side=side,
                titles=titles,
                suptitle=f"{title}: centroids (majority label, size)",
            )
        )
    written.append(
        plots.contingency_heatmap(
            table,
            out / f"contingency_{setting.name}.png",
            class_names=names,
            title=f"{title} (purity {row['purity']:.3f})",
        )
    )
    return [p.name for p in written]


def _summary_plots(out, rows):
    from ckmeans import plots

    written = []
    for dataset in DATASET_TITLES:
        hard = sorted(
            (r for r in rows if r["dataset"] == dataset and r["model"] == "hard"), key=lambda r: r["k"]
        )
        if len(hard) >= 2:
            written.append(
                plots.elbow(
                    [r["k"] for r in hard],
                    [r["objective"] for r in hard],
                    [r["purity"] for r in hard],
                    out / f"elbow_{dataset}.png",
                    title=f"{DATASET_TITLES[dataset]}: objective and purity against k",
                )
            )
        soft = sorted(
            (r for r in rows if r["dataset"] == dataset and r["model"] == "soft"), key=lambda r: r["beta"]
        )
        if soft:
            written.append(
                plots.soft_vs_beta(
                    [r["beta"] for r in soft],
                    [r["purity"] for r in soft],
                    [r["gini"] for r in soft],
                    out / f"soft_beta_{dataset}.png",
                    title=f"{DATASET_TITLES[dataset]} soft k-means (k={soft[0]['k']}) against beta",
                )
            )
    return [p.name for p in written]


def run_experiments(
    data_dir,
    out,
    *,
    quick=False,
    notebook_seeds=False,
    seed=0,
    n_threads=None,
    plots=True,
    command=None,
    show_progress=False,
    log=None,
):
    """Run the grid, write OUT/results.json, OUT/results.md and the plots; return the report dict.

    ``log`` (a callable taking a string) hears one line per finished setting.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    grid = QUICK_GRID if quick else GRID
    rows, plot_files, cache = [], [], {}
    total_start = time.perf_counter()
    for setting in progress(grid, desc="experiments", enabled=show_progress, unit="run"):
        if setting.dataset not in cache:
            cache.clear()  # one dataset in memory at a time
            n_samples = QUICK_SAMPLES[setting.dataset] if quick else None
            cache[setting.dataset] = load_dataset(setting.dataset, data_dir, n_samples=n_samples)
        X, y, names, side, terms = cache[setting.dataset]
        row, res = run_setting(
            X, y, setting, seed=seed, notebook_seeds=notebook_seeds, n_threads=n_threads, quick=quick
        )
        if terms is not None:
            row["top_terms"] = cluster_terms(res.centroids, res.labels, terms, y, names)
        rows.append(row)
        if plots:
            plot_files += _plots(out, setting, X, y, res, names, side, row)
        if log:
            log(
                f"{setting.name}: objective {row['objective']:.6g}, purity {row['purity']:.4f}, "
                f"{row['n_iter']} iterations, {row['seconds']:.1f} s"
            )
    if plots:
        plot_files += _summary_plots(out, rows)
    report = {
        "command": command,
        "quick": quick,
        "notebook_seeds": notebook_seeds,
        "seed": seed,
        "total_seconds": round(time.perf_counter() - total_start, 1),
        "rows": rows,
        "notes": NOTES,
        "plots": plot_files,
    }
    (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "results.md").write_text(results_markdown(report))
    return report


# ------------------------------------------------------------------------------------ the table
def _setting_label(row):
    model = f"soft, beta={row['beta']:g}" if row["model"] == "soft" else row["model"]
    return f"{DATASET_TITLES[row['dataset']]} {model}"


def _with_notebook(ours, notebook):
    """A table cell: our value, then the notebook's in parentheses when it has one."""
    return ours if notebook is None else f"{ours} ({notebook})"


def _terms_markdown(row):
    """The top terms of each cluster of a text row, as a table."""
    lines = [
        f"Top terms of each cluster, {_setting_label(row)} (k={row['k']}): the largest weights of the "
        "centroid, with the cluster's majority newsgroup and its share of the cluster.",
        "",
        "| cluster | size | majority (share) | top terms |",
        "|---:|---:|---|---|",
    ]
    for c in row["top_terms"]:
        lines.append(
            f"| {c['cluster']} | {c['size']} | {c['majority']} ({c['majority_share']:.2f}) "
            f"| {', '.join(c['terms'])} |"
        )
    return lines


def results_markdown(report):
    """The results table (ours, with the notebook's number in parentheses) and its notes."""
    lines = []
    if report.get("command"):
        lines += ["Produced by:", "", "```", report["command"], "```", ""]
    init = (
        "the notebook's initial centres"
        if report["notebook_seeds"]
        else f"k-means++ initial centres (seed {report['seed']})"
    )
    lines += [
        f"ckmeans from {init}; hard k-means runs until the labels stop changing; the spherical "
        "row keeps the best of n_init k-means++ starts. "
        "In parentheses: the number the original notebook's code gives on the same data "
        "(re-implemented with its quirks, see notes). Soft rows show soft purity and soft Gini.",
        "",
        "| setting | n | k | objective (notebook) | purity (notebook) | Gini (notebook) | acc. majority "
        "| acc. Hungarian | NMI | ARI | iter. | seconds | why the notebook differs |",
        "|---|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["rows"]:
        nb = r["notebook"] or dict.fromkeys(("k", "objective", "purity", "gini"))
        k = f"{r['k']}" + (f" (ran {nb['k']})" if nb["k"] not in (None, r["k"]) else "")
        cells = {
            key: _with_notebook(f"{r[key]:{spec}}", None if nb[key] is None else f"{nb[key]:{spec}}")
            for key, spec in (("objective", ".5g"), ("purity", ".4f"), ("gini", ".4f"))
        }
        lines.append(
            f"| {_setting_label(r)} | {r['n_samples']} | {k} | {cells['objective']} "
            f"| {cells['purity']} | {cells['gini']} "
            f"| {r['accuracy_majority']:.4f} | {r['accuracy_hungarian']:.4f} | {r['nmi']:.4f} "
            f"| {r['ari']:.4f} | {r['n_iter']} | {r['seconds']:.2f} "
            f"| {', '.join(f'[{d}]' for d in r['differences']) or '-'} |"
        )
    lines += ["", "Why the notebook's numbers differ:", ""]
    lines += [f"- [{code}] {text}" for code, text in report["notes"].items()]
    for r in report["rows"]:
        if r.get("top_terms"):
            lines += ["", *_terms_markdown(r)]
    lines += ["", f"Total time {report['total_seconds']} s.", ""]
    return "\n".join(lines)
