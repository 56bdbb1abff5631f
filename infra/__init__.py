"""The operator's and developer's tools, run from a clone as `python -m infra.<tool>`.

The domain package they drive lives in the Lambda layer's folder (layers/shared/liveagent), which is not an
installed package: the Makefile puts it on PYTHONPATH for its targets, and this puts it on the path for the
tools the README has an operator run directly (`.venv/bin/python -m infra.admin ...`).
"""

import sys
from pathlib import Path

_LAYER = str(Path(__file__).resolve().parents[1] / "layers" / "shared")
if _LAYER not in sys.path:
    sys.path.append(_LAYER)
