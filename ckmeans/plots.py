"""Plots of clustering results as PNG files (matplotlib, imported only when a plot is drawn).

Every function draws on its own ``Figure`` with the Agg canvas, so it never touches pyplot's global
state or the user's backend, works without a display, and returns the path it wrote.
"""

import math

import numpy as np

__all__ = ["centroid_grid", "contingency_heatmap", "elbow", "soft_vs_beta"]


def _figure(width, height, layout="tight"):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # a dependency, but an install made with --no-deps may lack it
        raise ImportError(
            "plots need matplotlib, a dependency of ckmeans missing here: pip install matplotlib"
        ) from exc
    fig = Figure(figsize=(width, height), dpi=100, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    fig.savefig(path, format="png")
    return path


def centroid_grid(centroids, path, *, side=None, titles=None, suptitle=None):
    """One grey image per centroid (rows reshaped to ``side x side``), in a near-square grid.

    ``titles`` (one short string per centroid, e.g. 'maj 3, n=5923') go above the images.
    ``side`` defaults to the square root of the number of features.
    """
    centroids = np.asarray(centroids, dtype=np.float64)
    k, n_features = centroids.shape
    side = side or math.isqrt(n_features)
    if side * side != n_features:
        raise ValueError(f"centroids have {n_features} features, not a square image; give side=")
    n_cols = k if k <= 5 else (5 if k <= 10 else 10)
    n_rows = math.ceil(k / n_cols)
    # Constrained layout reserves room for every title, so a row's titles never cover the images above.
    fig = _figure(1.4 * n_cols, 1.7 * n_rows + (0.4 if suptitle else 0), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i >= k:
            continue
        ax.imshow(centroids[i].reshape(side, side), cmap="gray_r", interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=8, pad=3)
    if suptitle:
        fig.suptitle(suptitle, fontsize=10)
    return _save(fig, path)


def elbow(ks, objectives, purities, path, *, title="Objective and purity against k"):
    """Objective (left axis) and purity (right axis) against k, one marker per run."""
    fig = _figure(6, 4.3, layout="constrained")
    ax = fig.subplots()
    ax.plot(ks, objectives, "o-", color="tab:blue", label="objective")
    ax.set_xlabel("number of clusters k")
    ax.set_ylabel("objective (sum of squared distances)", color="tab:blue")
    ax.set_xticks(list(ks))
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    right = ax.twinx()
    right.plot(ks, purities, "s--", color="tab:orange", label="purity")
    right.set_ylabel("purity", color="tab:orange")
    right.set_ylim(0, 1)
    ax.set_title(title)
    # Below the axes: inside, the legend of one axis would cover the other axis' line.
    fig.legend(handles=ax.get_lines() + right.get_lines(), loc="outside lower center", ncols=2)
    return _save(fig, path)


def soft_vs_beta(betas, soft_purities, soft_ginis, path, *, title="Soft k-means against stiffness beta"):
    """Soft purity and soft Gini impurity against beta (log axis)."""
    fig = _figure(6, 4)
    ax = fig.subplots()
    ax.plot(betas, soft_purities, "o-", label="soft purity")
    ax.plot(betas, soft_ginis, "s--", label="soft Gini impurity")
    ax.set_xscale("log")
    ax.set_xticks(list(betas))
    ax.set_xticklabels([f"{b:g}" for b in betas])
    ax.set_xlabel("stiffness beta")
    ax.set_ylabel("score")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def contingency_heatmap(table, path, *, class_names=None, cluster_names=None, title="Contingency table"):
    """Classes (rows) against clusters (columns); each cell shows its count when the grid is small."""
    table = np.asarray(table)
    n_classes, n_clusters = table.shape
    fig = _figure(max(5.0, 0.45 * n_clusters + 2.5), max(4.0, 0.35 * n_classes + 1.8))
    ax = fig.subplots()
    image = ax.imshow(table, cmap="Blues", aspect="auto", interpolation="nearest")
    fig.colorbar(image, ax=ax, label="points")
    ax.set_xticks(range(n_clusters))
    ax.set_xticklabels(cluster_names if cluster_names is not None else range(n_clusters), fontsize=7)
    ax.set_yticks(range(n_classes))
    ax.set_yticklabels(class_names if class_names is not None else range(n_classes), fontsize=7)
    ax.set_xlabel("cluster")
    ax.set_ylabel("true class")
    ax.set_title(title)
    if n_classes * n_clusters <= 400:  # numbers stay legible up to about a 20 x 20 grid
        high = table.max() or 1
        for i in range(n_classes):
            for j in range(n_clusters):
                value = table[i, j]
                if value:
                    ax.text(
                        j,
                        i,
                        f"{value:g}",
                        ha="center",
                        va="center",
                        fontsize=6.5,
                        color="white" if value > 0.6 * high else "black",
                    )
    return _save(fig, path)
