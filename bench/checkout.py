"""A benchmark measured on another checkout's code in the same run: this checkout's
script run with the other's code first on the path, answering its figures as JSON on
its last line of output.

Import it where the measuring process calls it, not at the top of a script: the script
runs again inside the other checkout, whose bench/ may not have this module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_in(code: Path, script: str, *args: str) -> Any:
    """The JSON that `script` (this checkout's file) printed last, run on `code`."""
    output = subprocess.run(
        [sys.executable, str(Path(script).resolve()), *args],
        env={**os.environ, "PYTHONPATH": str(code)},
        cwd=code,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])
