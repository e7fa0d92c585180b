"""Progress bars for the command line (tqdm), silent when nobody is watching.

A bar is drawn only on an interactive stderr and never with ``--quiet``, so logs, pipes and CI
output stay clean; tqdm's ``delay`` keeps steps shorter than a second from drawing anything.
"""

import sys

from tqdm.auto import tqdm

# Steps that finish within this many seconds never show a bar.
_DELAY = 1.0


def bars_enabled(quiet):
    """True when a progress bar would be seen: not quiet and stderr is a terminal."""
    if quiet:
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def progress(iterable=None, *, total=None, desc=None, enabled=True, unit="it"):
    """A tqdm bar over ``iterable`` (or a manual one of ``total`` steps), disabled unless ``enabled``."""
    return tqdm(
        iterable,
        total=total,
        desc=desc,
        disable=not enabled,
        delay=_DELAY,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )
