"""ckmeans.plots: every plot writes a valid PNG of a sensible size."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.image import imread

from ckmeans import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def check_png(path, min_side=200, max_side=3000):
    assert path.read_bytes()[:8] == PNG_MAGIC
    height, width = imread(path).shape[:2]
    assert min_side <= height <= max_side and min_side <= width <= max_side
    return height, width


@pytest.mark.parametrize("k, side", [(3, 8), (10, 28), (20, 28)])
def test_centroid_grid(tmp_path, k, side):
    centroids = np.random.default_rng(0).random((k, side * side)) * 255
    path = plots.centroid_grid(
        centroids, tmp_path / "c.png", titles=[f"{i} (n=100)" for i in range(k)], suptitle="centroids"
    )
    height, width = check_png(path)
    assert width > height  # rows of at most 5 (10 for k > 10) images: wider than tall


def test_centroid_grid_needs_square_images(tmp_path):
    with pytest.raises(ValueError, match="not a square image"):
        plots.centroid_grid(np.zeros((3, 10)), tmp_path / "c.png")


def test_elbow_soft_and_heatmap(tmp_path):
    check_png(plots.elbow([5, 10, 20], [3e10, 2.5e10, 2e10], [0.4, 0.6, 0.7], tmp_path / "e.png"))
    check_png(plots.soft_vs_beta([0.1, 1, 10], [0.5, 0.55, 0.6], [0.6, 0.5, 0.45], tmp_path / "s.png"))
    table = np.random.default_rng(1).integers(0, 500, size=(20, 20))
    check_png(
        plots.contingency_heatmap(table, tmp_path / "h.png", class_names=[f"group.{i}" for i in range(20)])
    )
