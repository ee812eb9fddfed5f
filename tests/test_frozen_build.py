"""The Linux program folder and its .deb are built from this tree; the program passes its
own selftest, carries no torch, and the package says which glibc it needs.

This builds with PyInstaller (several minutes) and is what proves the installer works on
a PC with nothing else installed. `APPLIANCE_SKIP_BUILD=1` skips it for quick local runs;
CI never sets it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "build" / "out" / "dist" / "handwerkml"
BINARY = FOLDER / "handwerkml"

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("APPLIANCE_SKIP_BUILD") == "1", reason="APPLIANCE_SKIP_BUILD=1"
    ),
    pytest.mark.skipif(sys.platform != "linux", reason="the Windows build runs in its CI job"),
    pytest.mark.timeout(3600),
]


def test_linux_binary_and_deb_build_and_the_binary_passes_its_selftest() -> None:
    build = subprocess.run(
        ["bash", str(ROOT / "build" / "linux" / "build.sh")],
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert BINARY.is_file() and os.access(BINARY, os.X_OK)
    debs = list((ROOT / "build" / "out").glob("handwerkml_*_amd64.deb"))
    assert len(debs) == 1
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(debs[0])], capture_output=True, text=True, check=True
    ).stdout
    for member in (
        "./opt/handwerkml/handwerkml",
        "./opt/handwerkml/_internal/",
        "./usr/share/applications/handwerkml.desktop",
        "./usr/share/icons/hicolor/256x256/apps/handwerkml.png",
    ):
        assert member in listing
    # Lean: the program embeds with ONNX Runtime; torch, its tests and the distributed
    # engines' drivers stay out.
    for left_out in ("/torch/", "/sentence_transformers/", "/psycopg/", "/redis/", "/tests/"):
        assert left_out not in listing, left_out
    control = subprocess.run(
        ["dpkg-deb", "--field", str(debs[0]), "Depends"], capture_output=True, text=True
    ).stdout
    assert re.fullmatch(r"libc6 \(>= 2\.\d+\)\n", control), control

    # Without the venv on PATH or PYTHONPATH: the binary must carry everything itself.
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "APPLIANCE_"))
    }
    clean_env["PATH"] = "/usr/bin:/bin"
    started = time.monotonic()
    selftest = subprocess.run(
        [str(BINARY), "selftest"], capture_output=True, text=True, timeout=900, env=clean_env
    )
    print(selftest.stdout)
    print(f"frozen selftest took {time.monotonic() - started:.1f} s")
    assert selftest.returncode == 0, selftest.stdout[-3000:] + selftest.stderr[-3000:]
    assert "checks passed" in selftest.stdout
