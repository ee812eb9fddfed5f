"""What the file reader (the parser sandbox's child) gets to see: little.

The child parses files from strangers with libraries that have had memory-corruption
bugs. If one is exploited, the child must hold nothing worth taking and reach nowhere:
- its environment is a short list of harmless variables (no access token, worker token
  or database password, all of which the worker itself has);
- on Linux it moves into a network namespace of its own (with a user namespace, so no
  privileges are needed): no interface but a loopback that is down, so it cannot send
  a document anywhere. Where the kernel refuses (some distributions restrict user
  namespaces) it says so and reads on without.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Mapping

# Variables a parser or tesseract may need: where programs and temporary files are, the
# locale, and what a frozen program uses to find its own files.
PASSED_VARIABLES = (
    "PATH",
    "SYSTEMROOT",
    "WINDIR",
    "TEMP",
    "TMP",
    "TMPDIR",
    "HOME",
    "USERPROFILE",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "LD_LIBRARY_PATH",
    "PYTHONPATH",
)
PASSED_PREFIXES = ("_PYI", "_MEI")  # PyInstaller's: reuse the folder the program unpacked

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def child_environment(parent: Mapping[str, str]) -> dict[str, str]:
    """The environment the file reader starts with."""
    kept = {
        name: value
        for name, value in parent.items()
        if name in PASSED_VARIABLES or name.startswith(PASSED_PREFIXES)
    }
    kept["OMP_THREAD_LIMIT"] = "1"  # tesseract must not spread over every core
    return kept


def isolate_network() -> bool:
    """Leave the network (Linux): True once this process can reach no address at all.

    Must run before the process starts threads (the kernel refuses a user namespace to a
    process with more than one).
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    # As root the network namespace alone suffices; otherwise a user namespace comes first.
    return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET))
