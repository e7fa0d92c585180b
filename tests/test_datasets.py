"""Dataset loaders: real MNIST / Fashion-MNIST / 20 Newsgroups facts, path rules and errors."""

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ckmeans.datasets import _newsgroups, get_data_home, load_20newsgroups, load_mnist
from ckmeans.idx import write_idx

MNIST_NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
LOADER_ENV = ("MNIST_DATA_PATH", "FASHION_MNIST_DATA_PATH", "NEWSGROUPS_DATA_PATH", "CKMEANS_DATA_HOME")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No test sees the caller's data variables, and the default data home is an empty folder."""
    for var in LOADER_ENV:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


# ---------------------------------------------------------------------------------------------
# MNIST / Fashion-MNIST on the real files


def _idx_payload(path, offset):
    """Independent twin of the loader: gunzip and skip the fixed-size IDX header."""
    return np.frombuffer(gzip.decompress(Path(path).read_bytes()), dtype=np.uint8, offset=offset)


def test_mnist_train(shared_data):
    X, y = load_mnist(shared_data / "mnist")
    assert X.shape == (60000, 784) and X.dtype == np.uint8
    assert y.shape == (60000,) and y.dtype == np.uint8
    assert list(y[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(np.bincount(y, minlength=10)) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_mnist_test_pixels_match_independent_read(shared_data):
    X, y = load_mnist(shared_data / "mnist", subset="test")
    assert X.shape == (10000, 784)
    assert list(y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    folder = shared_data / "mnist"
    np.testing.assert_array_equal(X.ravel(), _idx_payload(folder / "t10k-images-idx3-ubyte.gz", 16))
    np.testing.assert_array_equal(y, _idx_payload(folder / "t10k-labels-idx1-ubyte.gz", 8))


def test_mnist_images_reshape_is_a_view(shared_data):
    X, _ = load_mnist(shared_data / "mnist", subset="test")
    images = X.reshape(-1, 28, 28)
    assert images.shape == (10000, 28, 28)
    assert np.shares_memory(images, X) and images.base is not None
    assert X.flags.c_contiguous and X.flags.writeable


@pytest.mark.parametrize("subset,n", [("train", 6000), ("test", 1000)])
def test_fashion_counts(shared_data, subset, n):
    X, y = load_mnist(shared_data / "fashion-mnist", subset=subset, kind="fashion")
    assert X.shape == (10 * n, 784) and X.dtype == np.uint8
    assert list(np.bincount(y, minlength=10)) == [n] * 10


def test_raw_and_gz_files_load_equal(shared_data, tmp_path):
    for name in MNIST_NAMES["test"]:
        gz = (shared_data / "mnist" / f"{name}.gz").read_bytes()
        (tmp_path / name).write_bytes(gzip.decompress(gz))
    X_raw, y_raw = load_mnist(tmp_path, subset="test")
    X_gz, y_gz = load_mnist(shared_data / "mnist", subset="test")
    np.testing.assert_array_equal(X_raw, X_gz)
    np.testing.assert_array_equal(y_raw, y_gz)


def test_env_variables_find_real_data(shared_data, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_PATH", str(shared_data / "mnist"))
    monkeypatch.setenv("FASHION_MNIST_DATA_PATH", str(shared_data / "fashion-mnist"))
    _, y_digits = load_mnist(subset="test")
    _, y_fashion = load_mnist(subset="test", kind="fashion")
    assert list(y_digits[:3]) == [7, 2, 1]
    assert not np.array_equal(y_digits, y_fashion)


def test_data_home_layout_matches_shared_data(shared_data):
    _, y = load_mnist(subset="test", kind="fashion", data_home=shared_data)
    assert y.shape == (10000,)


# ---------------------------------------------------------------------------------------------
# MNIST loader rules on small synthetic files


def _write_mnist(folder, subset="train", n=5, seed=0, gz=True, images=None, labels=None):
    """Write a tiny canonical-named pair; returns (images, labels) written."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) if images is None else images
    labels = rng.integers(0, 10, n, dtype=np.uint8) if labels is None else labels
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    image_name, label_name = MNIST_NAMES[subset]
    write_idx(folder / f"{image_name}{suffix}", images)
    write_idx(folder / f"{label_name}{suffix}", labels)
    return images, labels


def _assert_loads(expected, **kwargs):
    X, y = load_mnist(**kwargs)
    np.testing.assert_array_equal(X, expected[0].reshape(len(expected[0]), -1))
    np.testing.assert_array_equal(y, expected[1])


def test_synthetic_round_trip_gz_and_raw(tmp_path):
    _assert_loads(_write_mnist(tmp_path / "gz"), path=tmp_path / "gz")
    _assert_loads(
        _write_mnist(tmp_path / "raw", gz=False, subset="test"), path=tmp_path / "raw", subset="test"
    )


def test_raw_file_preferred_over_gz(tmp_path):
    _write_mnist(tmp_path, seed=1, gz=True)
    raw = _write_mnist(tmp_path, seed=2, gz=False)
    _assert_loads(raw, path=tmp_path)


def test_search_order(tmp_path, monkeypatch):
    home = tmp_path / "home" / "ckmeans_data"
    in_home = _write_mnist(home / "mnist", seed=1)
    _assert_loads(in_home)  # default data home
    assert get_data_home() == home

    elsewhere = _write_mnist(tmp_path / "other" / "mnist", seed=2)
    monkeypatch.setenv("CKMEANS_DATA_HOME", str(tmp_path / "other"))
    _assert_loads(elsewhere)  # $CKMEANS_DATA_HOME
    _assert_loads(in_home, data_home=home)  # argument beats $CKMEANS_DATA_HOME

    env = _write_mnist(tmp_path / "env", seed=3)
    monkeypatch.setenv("MNIST_DATA_PATH", str(tmp_path / "env"))
    _assert_loads(env)  # $MNIST_DATA_PATH before data home
    _assert_loads(env, data_home=home)
    explicit = _write_mnist(tmp_path / "explicit", seed=4)
    _assert_loads(explicit, path=tmp_path / "explicit")  # path beats everything

    # the env folder lacking the subset falls through to the data home
    _write_mnist(tmp_path / "other" / "mnist", subset="test", seed=5)
    X, _ = load_mnist(subset="test")
    assert X.shape == (5, 784)


def test_fashion_uses_its_own_variable_and_subfolder(tmp_path, monkeypatch):
    digits = _write_mnist(tmp_path / "digits", seed=1)
    fashion = _write_mnist(tmp_path / "home" / "ckmeans_data" / "fashion-mnist", seed=2)
    monkeypatch.setenv("MNIST_DATA_PATH", str(tmp_path / "digits"))
    _assert_loads(fashion, kind="fashion")
    monkeypatch.setenv("FASHION_MNIST_DATA_PATH", str(tmp_path / "digits"))
    _assert_loads(digits, kind="fashion")


def test_missing_files_error_lists_every_place(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_DATA_PATH", str(tmp_path / "nowhere"))
    _write_mnist(tmp_path / "home" / "ckmeans_data" / "mnist", subset="test")
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert str(tmp_path / "nowhere") in message and "$MNIST_DATA_PATH" in message
    assert "does not exist" in message
    assert str(tmp_path / "home" / "ckmeans_data" / "mnist") in message
    assert "missing train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]" in message
    assert "ckmeans.datasets.fetch('mnist')" in message and "set MNIST_DATA_PATH" in message


def test_missing_fashion_error_names_fashion_fetch(tmp_path):
    (tmp_path / "f").mkdir()
    write_idx(tmp_path / "f" / "train-images-idx3-ubyte", np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(tmp_path / "f", kind="fashion")
    message = str(info.value)
    assert "missing train-labels-idx1-ubyte[.gz]" in message
    assert "images" not in message.split("missing")[1].split("\n")[0]
    assert "fetch('fashion-mnist')" in message and "FASHION_MNIST_DATA_PATH" in message


def test_path_that_is_a_file(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="not a folder"):
        load_mnist(tmp_path / "f")


@pytest.mark.parametrize(
    "images,labels,culprit,match",
    [
        (np.zeros((3, 27, 28), np.uint8), np.zeros(3, np.uint8), "images", r"shape \(n, 28, 28\)"),
        (np.zeros((3, 784), np.uint8), np.zeros(3, np.uint8), "images", r"got uint8 of shape \(3, 784\)"),
        (np.zeros((3, 28, 28), np.int16), np.zeros(3, np.uint8), "images", "got int16"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros((3, 1), np.uint8), "labels", "1-D uint8"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.int32), "labels", "1-D uint8"),
        (np.zeros((3, 28, 28), np.uint8), np.zeros(4, np.uint8), "labels", "4 labels but"),
        (np.zeros((3, 28, 28), np.uint8), np.array([1, 10, 2], np.uint8), "labels", "found 10"),
    ],
)
def test_bad_contents_name_the_file(tmp_path, images, labels, culprit, match):
    _write_mnist(tmp_path, images=images, labels=labels)
    name = MNIST_NAMES["train"][0 if culprit == "images" else 1]
    with pytest.raises(ValueError, match=match) as info:
        load_mnist(tmp_path)
    assert str(tmp_path / f"{name}.gz") in str(info.value)


def test_corrupt_idx_file_is_an_error(tmp_path):
    from ckmeans import IDXFormatError

    _write_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00"))
    with pytest.raises(IDXFormatError):
        load_mnist(tmp_path)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"subset": "all"}, "subset='all' is not allowed; use one of 'train', 'test'"),
        ({"subset": None}, "subset=None"),
        ({"kind": "digits"}, "kind='digits' is not allowed; use one of 'mnist', 'fashion'"),
    ],
)
def test_bad_choices(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_mnist(tmp_path, **kwargs)


# ---------------------------------------------------------------------------------------------
# 20 Newsgroups on the real tarball

NEWSGROUPS = [
    "alt.atheism",
    "comp.graphics",
    "comp.os.ms-windows.misc",
    "comp.sys.ibm.pc.hardware",
    "comp.sys.mac.hardware",
    "comp.windows.x",
    "misc.forsale",
    "rec.autos",
    "rec.motorcycles",
    "rec.sport.baseball",
    "rec.sport.hockey",
    "sci.crypt",
    "sci.electronics",
    "sci.med",
    "sci.space",
    "soc.religion.christian",
    "talk.politics.guns",
    "talk.politics.mideast",
    "talk.politics.misc",
    "talk.religion.misc",
]
TRAIN_COUNTS = [
    480,
    584,
    591,
    590,
    578,
    593,
    585,
    594,
    598,
    597,
    600,
    595,
    591,
    594,
    593,
    599,
    546,
    564,
    465,
    377,
]


@pytest.fixture(scope="module")
def news_tarball(shared_data):
    return shared_data / "20newsgroups" / "20news-bydate.tar.gz"


@pytest.fixture(scope="module")
def news_train(news_tarball):
    return load_20newsgroups(news_tarball, subset="train")


@pytest.fixture(scope="module")
def news_test(news_tarball):
    return load_20newsgroups(news_tarball.parent, subset="test")


def test_newsgroups_train(news_train):
    documents, y, names = news_train
    assert len(documents) == 11314 and y.shape == (11314,) and y.dtype == np.int64
    assert names == NEWSGROUPS
    assert list(np.bincount(y, minlength=20)) == TRAIN_COUNTS
    assert all(isinstance(d, str) for d in documents)
    assert np.all(np.diff(y) >= 0)


def test_newsgroups_test(news_test):
    documents, y, names = news_test
    assert len(documents) == 7532 and names == NEWSGROUPS
    assert np.all(np.bincount(y, minlength=20) > 0)


def test_newsgroups_all_is_train_then_test(news_tarball, news_train, news_test):
    documents, y, names = load_20newsgroups(news_tarball, subset="all")
    assert documents == news_train[0] + news_test[0]
    np.testing.assert_array_equal(y, np.concatenate([news_train[1], news_test[1]]))
    assert names == NEWSGROUPS


def test_newsgroups_first_document_is_lowest_numbered_file(news_tarball, news_train):
    with tarfile.open(news_tarball) as tar:
        numbers = [
            int(Path(m.name).name)
            for m in tar
            if m.isfile() and m.name.startswith("20news-bydate-train/alt.atheism/")
        ]
        first = tar.extractfile(f"20news-bydate-train/alt.atheism/{min(numbers)}").read()
    assert news_train[0][0] == first.decode("latin-1")


def test_newsgroups_remove_matches_scikit_learn(news_tarball, news_train):
    tn = pytest.importorskip("sklearn.datasets._twenty_newsgroups")
    documents, y, _ = load_20newsgroups(news_tarball, subset="train", remove=("quotes", "headers", "footers"))
    expected = [
        tn.strip_newsgroup_quoting(tn.strip_newsgroup_footer(tn.strip_newsgroup_header(d)))
        for d in news_train[0]
    ]
    assert documents == expected
    np.testing.assert_array_equal(y, news_train[1])
    starts_with_from = [
        sum(d.startswith("From:") for d in docs) / len(docs) for docs in (news_train[0], documents)
    ]
    assert starts_with_from[0] > 0.9 and starts_with_from[1] < 0.01


@pytest.mark.parametrize("what", ["headers", "footers", "quotes"])
def test_each_stripper_matches_scikit_learn_on_real_documents(news_train, what):
    tn = pytest.importorskip("sklearn.datasets._twenty_newsgroups")
    twin = {
        "headers": tn.strip_newsgroup_header,
        "footers": tn.strip_newsgroup_footer,
        "quotes": tn.strip_newsgroup_quoting,
    }[what]
    ours = _newsgroups._STRIPPERS[what]
    changed = 0
    for document in news_train[0]:
        stripped = ours(document)
        assert stripped == twin(document)
        changed += stripped != document
    assert changed > 1000  # the stripper really does something on real messages


# Text made of the pieces the strippers react to, so hypothesis hits the edge cases.
_news_text = st.lists(
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "-",
            "--",
            " ",
            ">",
            "|",
            "a",
            "é",
            "In article",
            "Quoted from",
            "writes:",
            "wrote:",
            "says:",
            "said:",
            "writes in",
            "\r",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_news_text)
def test_strippers_match_scikit_learn_on_any_text(text):
    tn = pytest.importorskip("sklearn.datasets._twenty_newsgroups")
    assert _newsgroups._strip_headers(text) == tn.strip_newsgroup_header(text)
    assert _newsgroups._strip_footer(text) == tn.strip_newsgroup_footer(text)
    assert _newsgroups._strip_quotes(text) == tn.strip_newsgroup_quoting(text)


# ---------------------------------------------------------------------------------------------
# 20 Newsgroups loader rules on a small synthetic split

SYNTH = {  # split -> group -> {file name: bytes}
    "train": {
        "b.group": {"10": b"From: x\n\nbody 10", "9": b"body 9\xe9", "100": b"b100"},
        "a.group": {"2": b"a2", "1": b"> quoted\nkept\n\n-- \nsig"},
    },
    "test": {"a.group": {"7": b"a7"}, "b.group": {"3": b"b3"}},
}


def _write_synthetic_tree(root, tree=SYNTH):
    for split, groups in tree.items():
        for group, files in groups.items():
            folder = root / f"20news-bydate-{split}" / group
            folder.mkdir(parents=True)
            for name, data in files.items():
                (folder / name).write_bytes(data)
    return root


def _write_synthetic_tar(path, tree=SYNTH):
    with tarfile.open(path, "w:gz") as tar:
        for split, groups in tree.items():
            for group, files in groups.items():
                for name, data in files.items():
                    info = tarfile.TarInfo(f"20news-bydate-{split}/{group}/{name}")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
    return path


def test_synthetic_order_labels_and_latin1(tmp_path):
    documents, y, names = load_20newsgroups(_write_synthetic_tree(tmp_path))
    assert names == ["a.group", "b.group"]
    # by group, then by file number (9 < 10 < 100, not string order)
    assert documents == ["> quoted\nkept\n\n-- \nsig", "a2", "body 9é", "From: x\n\nbody 10", "b100"]
    assert list(y) == [0, 0, 1, 1, 1]
    documents, y, _ = load_20newsgroups(tmp_path, subset="all")
    assert documents[-2:] == ["a7", "b3"] and list(y) == [0, 0, 1, 1, 1, 0, 1]


def test_tarball_and_folder_forms_agree(tmp_path):
    tree = _write_synthetic_tree(tmp_path / "tree")
    archive = _write_synthetic_tar(tmp_path / "20news-bydate.tar.gz")
    for subset in ("train", "test", "all"):
        from_tree = load_20newsgroups(tree, subset=subset)
        for source in (archive, tmp_path):  # the tarball, and a folder holding it
            from_tar = load_20newsgroups(source, subset=subset)
            assert from_tar[0] == from_tree[0] and from_tar[2] == from_tree[2]
            np.testing.assert_array_equal(from_tar[1], from_tree[1])


def test_synthetic_remove(tmp_path):
    _write_synthetic_tree(tmp_path)
    documents, _, _ = load_20newsgroups(tmp_path, remove=("headers",))
    assert documents[3] == "body 10" and documents[1] == ""
    documents, _, _ = load_20newsgroups(tmp_path, remove="quotes")
    assert documents[0] == "kept\n\n-- \nsig"
    documents, _, _ = load_20newsgroups(tmp_path, remove=("footers", "quotes"))
    assert documents[0] == "kept\n"


def test_newsgroups_search_order(tmp_path, monkeypatch):
    home_tree = {"train": {"home": {"1": b"h"}}, "test": {"home": {"1": b"h"}}}
    env_tree = {"train": {"env": {"1": b"e"}}, "test": {"env": {"1": b"e"}}}
    _write_synthetic_tar(
        _make(tmp_path / "home" / "ckmeans_data" / "20newsgroups") / "20news-bydate.tar.gz", home_tree
    )
    assert load_20newsgroups()[2] == ["home"]
    _write_synthetic_tree(_make(tmp_path / "env"), env_tree)
    monkeypatch.setenv("NEWSGROUPS_DATA_PATH", str(tmp_path / "env"))
    assert load_20newsgroups()[2] == ["env"]
    assert load_20newsgroups(tmp_path / "home" / "ckmeans_data" / "20newsgroups")[2] == ["home"]


def _make(folder):
    folder.mkdir(parents=True)
    return folder


def test_newsgroups_missing_lists_places(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSGROUPS_DATA_PATH", str(tmp_path / "nowhere"))
    _make(tmp_path / "home" / "ckmeans_data" / "20newsgroups")
    with pytest.raises(FileNotFoundError) as info:
        load_20newsgroups()
    message = str(info.value)
    assert f"{tmp_path / 'nowhere'} ($NEWSGROUPS_DATA_PATH): does not exist" in message
    assert str(tmp_path / "home" / "ckmeans_data" / "20newsgroups") in message
    assert "holds neither 20news-bydate.tar.gz" in message
    assert "fetch('20newsgroups')" in message


def test_newsgroups_mismatched_groups(tmp_path):
    tree = {"train": {"a": {"1": b"x"}, "b": {"1": b"y"}}, "test": {"a": {"1": b"z"}}}
    _write_synthetic_tree(tmp_path, tree)
    assert load_20newsgroups(tmp_path, subset="test")[2] == ["a"]
    with pytest.raises(ValueError, match="differ"):
        load_20newsgroups(tmp_path, subset="all")


def test_newsgroups_empty_split(tmp_path):
    _write_synthetic_tar(tmp_path / "x.tar.gz", {"train": {"a": {"1": b"x"}}})
    with pytest.raises(ValueError, match="no 20news-bydate-test/ documents"):
        load_20newsgroups(tmp_path / "x.tar.gz", subset="test")


def test_newsgroups_corrupt_tarball_names_it(tmp_path):
    archive = _write_synthetic_tar(tmp_path / "20news-bydate.tar.gz")
    archive.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(ValueError, match="cannot read the 20 Newsgroups tarball") as info:
        load_20newsgroups(archive)
    assert str(archive) in str(info.value)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"subset": "dev"}, "subset='dev' is not allowed; use one of 'train', 'test', 'all'"),
        (
            {"remove": ("headers", "signature")},
            r"unknown entries \['signature'\]; allowed: "
            "'headers', 'footers', 'quotes'",
        ),
    ],
)
def test_newsgroups_bad_arguments(tmp_path, kwargs, match):
    _write_synthetic_tree(tmp_path)
    with pytest.raises(ValueError, match=match):
        load_20newsgroups(tmp_path, **kwargs)
