"""No tenant's words in the generic detection code or its data: the dev tenants' (and the blind set's) brand
and product names live in their knowledge bases, never in liveagent.detection."""

from __future__ import annotations

import re
from pathlib import Path

import liveagent.detection

PACKAGE = Path(liveagent.detection.__file__).resolve().parent
# The coffee roaster's brand and products, the bank's (CLINC's) bank names, the blind set's gym.
TENANT_WORDS = [
    "nimbus", "coffee", "espresso", "latte", "decaf", "decaffeinated", "barista", "roast", "roaster",
    "grind", "grinder", "cold brew", "beans", "café", "cafe", "ethiopian", "oat milk", "milk", "wifi",
    "chase", "wells fargo", "citibank", "bank of america", "ironleaf", "gym", "sauna",
]  # fmt: skip


def test_the_detection_package_names_no_tenant_product_or_brand() -> None:
    # Its code and its data (the glossary): every text file, not the built encoder (ignored by git) or the
    # binary weights.
    found = []
    for path in sorted(p for p in PACKAGE.rglob("*") if p.suffix in {".py", ".tsv", ".json", ".txt", ".md"}):
        if "minilm" in path.parts:
            continue  # the published model's own vocabulary (30,000 English word pieces), built by `make models`
        text = path.read_text(encoding="utf-8").lower()
        found += [
            f"{path.name}: {word}" for word in TENANT_WORDS if re.search(rf"\b{re.escape(word)}\b", text)
        ]
    assert not found, found


def test_the_check_would_see_a_tenant_word(tmp_path: Path) -> None:
    # The scan itself: a module naming a product is caught (guards the regex against silently matching none).
    module = tmp_path / "m.py"
    module.write_text('HINT = "our Cold Brew is great"\n')
    text = module.read_text().lower()
    assert [w for w in TENANT_WORDS if re.search(rf"\b{re.escape(w)}\b", text)] == ["cold brew"]
