"""The real-time engine imports light: no HTTP client, no numeric stack (the validator's cold start)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_engine_loads_no_http_client_and_no_numeric_stack() -> None:
    code = (
        "import sys, plexlabor.validation.engine\n"
        "heavy = {'requests', 'plexlabor.plex.client', 'numpy', 'scipy', 'sklearn', 'boto3'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)

    assert result.stdout.strip() == "[]"
