"""pyproject.toml declares exactly the third-party packages that ckmeans' own modules import."""

import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
from packaging.requirements import Requirement  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {"sklearn": "scikit-learn", "zlib_ng": "zlib-ng"}
# Imported only inside try/except ImportError, as a fallback nobody has to install.
OPTIONAL = {"isal": "gzip backend used when zlib-ng has no wheel for the platform"}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)")


# Subpackages whose imports are an optional extra of the same name (pip install 'ckmeans[dask]').
EXTRAS = {"dask": ROOT / "ckmeans" / "dask"}
EXTRA_DIRS = tuple(EXTRAS.values())


def imported_distributions(under=ROOT / "ckmeans", skip=EXTRA_DIRS):
    found = set()
    for path in under.rglob("*.py*"):
        if path.suffix not in (".py", ".pyx") or any(path.is_relative_to(s) for s in skip):
            continue
        for line in path.read_text().splitlines():
            match = IMPORT.match(line)
            if match and "cimport" not in line:  # Cython's cimports are compile-time only
                found.add(match.group(1))
    third_party = found - set(sys.stdlib_module_names) - {"ckmeans"} - set(OPTIONAL)
    return {DISTRIBUTIONS.get(name, name) for name in third_party}


def test_dependencies_are_exactly_the_imports():
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("no source tree beside the tests")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {Requirement(r).name for r in project["dependencies"]}
    assert declared == imported_distributions()


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_extras_declare_their_subpackages_imports(extra):
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("no source tree beside the tests")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {Requirement(r).name for r in project["dependencies"]}
    declared |= {Requirement(r).name for r in project["optional-dependencies"][extra]}
    assert imported_distributions(EXTRAS[extra], skip=()) <= declared
