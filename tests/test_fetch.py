"""ckmeans.datasets.fetch against a local HTTP server on 127.0.0.1 (no internet needed)."""

import hashlib
import http.server
import threading
import time
from pathlib import Path

import pytest

import ckmeans.datasets as datasets
from ckmeans.datasets import _fetch
from ckmeans.datasets._fetch import DownloadError, Remote, fetch


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files = {}  # URL path -> bytes served
        self.script = {}  # URL path -> list of behaviours, one consumed per request
        self.log = []  # URL paths requested, in order
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files``; ``server.script`` can make a request fail first.

    Behaviours: an int is an HTTP error status; "truncate" announces the full length, sends half
    the body and closes; "corrupt" sends the right length with one byte flipped; "stall" waits a
    second before answering; "ok" serves.
    """

    def do_GET(self):
        server = self.server
        with server.lock:
            server.log.append(self.path)
            steps = server.script.get(self.path, [])
            step = steps.pop(0) if steps else "ok"
        body = server.files.get(self.path)
        if step == "stall":
            time.sleep(1.0)
        if isinstance(step, int) or body is None:
            self.send_error(step if isinstance(step, int) else 404)
            return
        if step == "corrupt":
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if step == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join()


def _sha(data):
    return hashlib.sha256(data).hexdigest()


FILES = {"a.bin": b"first file " * 1000, "b.bin": bytes(range(256)) * 300}


@pytest.fixture
def toy(server, monkeypatch):
    """A two-file dataset 'toy' in the registry, served by the local server on two mirrors."""
    for name, data in FILES.items():
        server.files[f"/m1/{name}"] = data
        server.files[f"/m2/{name}"] = data
    mirrors = (f"{server.url}/m1/{{name}}", f"{server.url}/m2/{{name}}")
    remote = Remote("toy", {name: _sha(data) for name, data in FILES.items()}, mirrors)
    monkeypatch.setitem(_fetch.REGISTRY, "toy", remote)
    return server


def _fetch_toy(tmp_path, **kwargs):
    kwargs.setdefault("backoff", 0)
    return fetch("toy", data_home=tmp_path, **kwargs)


def _listing(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def test_good_download_verified_and_no_leftovers(toy, tmp_path):
    folder = _fetch_toy(tmp_path)
    assert folder == tmp_path / "toy"
    assert _listing(folder) == ["a.bin", "b.bin"]
    for name, data in FILES.items():
        assert (folder / name).read_bytes() == data
    assert toy.log == ["/m1/a.bin", "/m1/b.bin"]


def test_present_files_are_not_downloaded_again(toy, tmp_path):
    _fetch_toy(tmp_path)
    before = {name: (tmp_path / "toy" / name).stat().st_mtime_ns for name in FILES}
    toy.log.clear()
    _fetch_toy(tmp_path)
    assert toy.log == []
    assert before == {name: (tmp_path / "toy" / name).stat().st_mtime_ns for name in FILES}


def test_server_error_then_success_on_retry(toy, tmp_path):
    toy.script["/m1/a.bin"] = [500, 503]
    _fetch_toy(tmp_path, n_retries=2)
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]
    assert toy.log[:3] == ["/m1/a.bin"] * 3


def test_server_errors_exhaust_retries_then_next_mirror(toy, tmp_path):
    toy.script["/m1/a.bin"] = [500, 500, 500]
    _fetch_toy(tmp_path, n_retries=1)
    assert toy.log[:3] == ["/m1/a.bin", "/m1/a.bin", "/m2/a.bin"]
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]


def test_404_goes_to_next_mirror_without_retrying(toy, tmp_path):
    toy.script["/m1/a.bin"] = [404]
    _fetch_toy(tmp_path, n_retries=3)
    assert toy.log[:2] == ["/m1/a.bin", "/m2/a.bin"]
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]


def test_interrupted_transfer_is_retried(toy, tmp_path):
    toy.script["/m1/b.bin"] = ["truncate"]
    _fetch_toy(tmp_path, n_retries=1)
    assert toy.log.count("/m1/b.bin") == 2
    assert _listing(tmp_path / "toy") == ["a.bin", "b.bin"]
    assert (tmp_path / "toy" / "b.bin").read_bytes() == FILES["b.bin"]


def test_stalled_server_times_out_and_is_retried(toy, tmp_path):
    toy.script["/m1/a.bin"] = ["stall"]
    _fetch_toy(tmp_path, timeout=0.2)
    assert toy.log[:2] == ["/m1/a.bin", "/m1/a.bin"]
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]


def test_interrupted_everywhere_fails_cleanly(toy, tmp_path):
    toy.script["/m1/a.bin"] = ["truncate"] * 2
    toy.script["/m2/a.bin"] = ["truncate"] * 2
    with pytest.raises(DownloadError) as info:
        _fetch_toy(tmp_path, n_retries=1)
    message = str(info.value)
    assert "a.bin" in message and "/m1/a.bin" in message and "/m2/a.bin" in message
    assert f"truncated transfer: got {len(FILES['a.bin']) // 2} of {len(FILES['a.bin'])}" in message
    assert len(info.value.attempts) == 4
    assert not (tmp_path / "toy").exists()  # the folder fetch created, left empty, is gone


def test_checksum_mismatch_leaves_no_file(toy, tmp_path):
    toy.script["/m1/a.bin"] = ["corrupt"]
    toy.script["/m2/a.bin"] = ["corrupt"]
    with pytest.raises(DownloadError) as info:
        _fetch_toy(tmp_path)
    bad = bytearray(FILES["a.bin"])
    bad[0] ^= 0xFF
    message = str(info.value)
    assert f"expected sha256 {_sha(FILES['a.bin'])}, got {_sha(bytes(bad))}" in message
    # a mismatch is not retried on the same mirror
    assert toy.log == ["/m1/a.bin", "/m2/a.bin"]
    assert not (tmp_path / "toy").exists()  # the folder fetch created, left empty, is gone


def test_checksum_mismatch_on_first_mirror_then_good_second(toy, tmp_path):
    toy.script["/m1/a.bin"] = ["corrupt"]
    _fetch_toy(tmp_path)
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]


def test_failed_download_does_not_clobber_existing_file(toy, tmp_path):
    # A stale copy (wrong checksum) is re-fetched, but only a verified download may replace it.
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "a.bin").write_bytes(b"stale")
    toy.script["/m1/a.bin"] = ["corrupt"]
    toy.script["/m2/a.bin"] = ["truncate"]
    with pytest.raises(DownloadError):
        _fetch_toy(tmp_path, n_retries=0)
    assert _listing(folder) == ["a.bin"]
    assert (folder / "a.bin").read_bytes() == b"stale"
    _fetch_toy(tmp_path)
    assert (folder / "a.bin").read_bytes() == FILES["a.bin"]


def test_good_existing_file_survives_a_corrupt_server(toy, tmp_path):
    _fetch_toy(tmp_path)
    toy.script["/m1/a.bin"] = ["corrupt"] * 5
    toy.script["/m2/a.bin"] = ["corrupt"] * 5
    _fetch_toy(tmp_path)
    assert (tmp_path / "toy" / "a.bin").read_bytes() == FILES["a.bin"]


def test_mirrors_argument_overrides_registry(toy, tmp_path):
    toy.files["/other/a.bin"] = FILES["a.bin"]
    toy.files["/other/b.bin"] = FILES["b.bin"]
    _fetch_toy(tmp_path, mirrors=[f"{toy.url}/other/{{name}}"])
    assert toy.log == ["/other/a.bin", "/other/b.bin"]


def test_connection_refused_is_reported(toy, tmp_path):
    # Bind then close a socket to get a port nothing listens on.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DownloadError) as info:
        _fetch_toy(tmp_path, mirrors=[f"http://127.0.0.1:{port}/{{name}}"], n_retries=1)
    assert len(info.value.attempts) == 2
    assert f"http://127.0.0.1:{port}/a.bin" in str(info.value)
    assert not (tmp_path / "toy").exists()  # the folder fetch created, left empty, is gone


def test_template_without_name_needs_a_single_file(toy, tmp_path):
    with pytest.raises(ValueError, match="placeholder"):
        _fetch_toy(tmp_path, mirrors=[f"{toy.url}/m1/a.bin"])


@pytest.mark.parametrize("kwargs", [{"n_retries": -1}, {"backoff": -1}, {"timeout": 0}, {"mirrors": []}])
def test_bad_arguments(toy, tmp_path, kwargs):
    with pytest.raises(ValueError):
        _fetch_toy(tmp_path, **kwargs)


def test_unknown_name_lists_known_ones(tmp_path):
    with pytest.raises(ValueError, match="'mnist', 'fashion-mnist', '20newsgroups'"):
        fetch("cifar", data_home=tmp_path)


def test_data_home_env(toy, tmp_path, monkeypatch):
    monkeypatch.setenv("CKMEANS_DATA_HOME", str(tmp_path / "home"))
    assert fetch("toy", backoff=0) == tmp_path / "home" / "toy"


def test_registry_entries_are_well_formed():
    for remote in _fetch.REGISTRY.values():
        assert remote.mirrors and all(m.startswith(("http://", "https://")) for m in remote.mirrors)
        assert all(len(sha) == 64 and int(sha, 16) >= 0 for sha in remote.files.values())
    assert _fetch.REGISTRY["mnist"].mirrors[0].startswith("https://ossci-datasets.s3")


def test_real_mnist_checksums_match_registry(shared_data, server, tmp_path):
    """The registry's MNIST sha256s are those of the canonical files, served over HTTP."""
    for name in _fetch.REGISTRY["mnist"].files:
        server.files[f"/mnist/{name}"] = (shared_data / "mnist" / name).read_bytes()
    folder = fetch("mnist", data_home=tmp_path, mirrors=[f"{server.url}/mnist/{{name}}"], backoff=0)
    assert _listing(folder) == sorted(_fetch.REGISTRY["mnist"].files)
    X, y = datasets.load_mnist(data_home=tmp_path, subset="test")
    assert X.shape == (10000, 784) and list(y[:3]) == [7, 2, 1]


def test_real_20newsgroups_is_repacked_so_it_does_not_verify(shared_data, server, tmp_path):
    # The shared tarball is a repack (same documents, other bytes): fetch must refuse it.
    name = "20news-bydate.tar.gz"
    server.files[f"/{name}"] = (shared_data / "20newsgroups" / name).read_bytes()
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch("20newsgroups", data_home=tmp_path, mirrors=[f"{server.url}/{name}"], backoff=0)
    assert not (tmp_path / "20newsgroups").exists()


# ---- offline: host names that do not resolve ----------------------------------------------------
# Names under the reserved .invalid top-level domain never resolve (RFC 6761), network or not.
UNRESOLVABLE = ("http://ckmeans-mirror-one.invalid/{name}", "https://ckmeans-mirror-two.invalid/{name}")


@pytest.fixture
def sleeps(monkeypatch):
    """The backoff waits fetch makes (recorded, not slept)."""
    waits = []
    monkeypatch.setattr(_fetch.time, "sleep", waits.append)
    return waits


@pytest.mark.parametrize(
    "name, hint",
    [
        ("mnist", "set MNIST_DATA_PATH to a folder that holds them"),
        ("20newsgroups", "set NEWSGROUPS_DATA_PATH"),
        ("toy", "use a data home whose toy/ holds them"),
    ],
)
def test_unresolvable_hosts_fail_at_once_with_one_line(toy, tmp_path, sleeps, name, hint):
    home = tmp_path / "new" / "home"  # fetch creates it, and must remove it again
    with pytest.raises(DownloadError) as info:
        fetch(name, data_home=home, mirrors=UNRESOLVABLE, n_retries=3, backoff=1.0)
    message = str(info.value)
    assert sleeps == [] and len(info.value.attempts) == 2  # one try per mirror, no retries
    assert "\n" not in message and len(message) < 400
    assert "no mirror's host name resolves" in message and "ckmeans-mirror-two.invalid" in message
    assert f"Copy its files into {home / _fetch.REGISTRY[name].folder}" in message and hint in message
    assert _listing(tmp_path) == []  # neither the dataset folder nor the data home is left behind


def test_unresolvable_mirror_is_skipped_for_a_working_one(toy, tmp_path, sleeps):
    folder = _fetch_toy(tmp_path, mirrors=[UNRESOLVABLE[0], f"{toy.url}/m1/{{name}}"], n_retries=3)
    assert _listing(folder) == ["a.bin", "b.bin"] and sleeps == []


def test_unresolvable_and_failing_mirrors_give_the_full_report(toy, tmp_path, sleeps):
    toy.script["/m1/a.bin"] = [404]
    with pytest.raises(DownloadError) as info:
        _fetch_toy(tmp_path, mirrors=[UNRESOLVABLE[0], f"{toy.url}/m1/{{name}}"])
    assert "tried:" in str(info.value) and "HTTP 404" in str(info.value)
    assert "host name not resolved" in str(info.value)
