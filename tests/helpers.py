"""Helpers for tests that run the project in a child process with a chosen environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, env: dict, *, timeout=60) -> subprocess.CompletedProcess:
    """Run Python code in the project with *only* PATH, HOME and ``env`` in the environment."""
    base = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def settings_in(env: dict, *names) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: str(getattr(s, n)) for n in {list(names)!r}}}))"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
