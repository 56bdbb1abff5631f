"""The project's commands as a user types them (`make ...` from the repository's root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


MAKE_FLAGS = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")  # of the `make test` this may run under (jobserver, -s)


def user_environment() -> dict[str, str]:
    """This process's environment as a user's shell has it: without the test session's fake AWS (AWS_*,
    MOTO_*: a command must find the stack itself) and without make's flags."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_")) and k not in MAKE_FLAGS
    }


def make(
    *args: str, timeout: float = 120, base: Mapping[str, str] | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`make ARGS` in the repository, with `env` added to `base` (default: this process's environment) but
    not make's flags."""
    inherited = {k: v for k, v in (os.environ if base is None else base).items() if k not in MAKE_FLAGS}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT, env={**inherited, **env}, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
