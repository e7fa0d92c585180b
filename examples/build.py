"""Build the examples out of the source tree, against the ckmeans that ``import ckmeans`` finds.

    python examples/build.py DEST     build both examples into DEST

tests/test_extending.py and bench/bench_capi.py build them through these functions, with the same
commands the README gives a user.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
SRC_C = EXAMPLES.parent / "src_c"


def c_compiler():
    """The C compiler (``$CC``, else the one Python was built with, else ``cc``), or None if absent."""
    cc = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    return cc if shutil.which(cc) else None


def _run(argv, **kwargs):
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


def build_cython(dest):
    """Copy examples/cython into dest, build it in place, and return the imported batch_kmeans."""
    import ckmeans

    dest = Path(dest)
    shutil.copytree(EXAMPLES / "cython", dest, dirs_exist_ok=True)
    # Cython finds ckmeans/kernels.pxd on sys.path: point it at the very package imported here
    # (the installed wheel, or a source tree built in place), never at another copy.
    package_root = str(Path(ckmeans.__file__).resolve().parent.parent)
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    )
    _run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=dest, env=env)
    path = next(dest.glob("batch_kmeans*" + sysconfig.get_config_var("EXT_SUFFIX")))
    spec = importlib.util.spec_from_file_location("batch_kmeans", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_c(dest):
    """``make -C src_c`` into dest, then compile examples/c/idx_kmeans.c with it: the binary's path."""
    dest = Path(dest)
    cc = c_compiler()
    _run(["make", "-C", str(SRC_C), f"BUILD={dest}", f"CC={cc}"])
    exe = dest / "idx_kmeans"
    _run(
        [
            cc,
            "-O2",
            f"-I{SRC_C}",
            str(EXAMPLES / "c" / "idx_kmeans.c"),
            str(dest / "libckmeans.a"),
            "-fopenmp",
            "-lm",
            "-o",
            str(exe),
        ]
    )
    return exe


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build/examples").resolve()
    print("cython:", build_cython(out / "cython").__file__)
    print("c:", build_c(out / "c"))
