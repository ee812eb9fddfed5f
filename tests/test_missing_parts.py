"""A setting that needs a package the program leaves out says which, in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_a_qdrant_server_in_a_program_without_its_driver(tmp_path: Path) -> None:
    # As in the desktop program, where qdrant-client is not bundled.
    script = (
        "import sys\n"
        "sys.modules['qdrant_client'] = None\n"
        "from appliance.cli import main\n"
        "sys.exit(main(['reindex', '--data-dir', sys.argv[1]]))\n"
    )
    env = {"APPLIANCE_QDRANT_URL": "http://127.0.0.1:1", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [
        "APPLIANCE_QDRANT_URL needs the Python package 'qdrant_client', which this program "
        "does not include: install the appliance from source with its server extra "
        "(pip install 'handwerkml-appliance[server]')."
    ]
