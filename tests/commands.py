"""The project's commands as a user types them (`make ...` from the repository's root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make(
    *args: str, timeout: float = 120, base: Mapping[str, str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`make ARGS` in the repository, with `env` added to `base` (default: this process's environment) but
    not the flags of the `make test` this may run under (its jobserver, its -s)."""
    inherited = {
        k: v
        for k, v in (os.environ if base is None else base).items()
        if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT, env={**inherited, **env}, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
