"""`python -m infra.detection.language_corpus`: the language-identification corpus, from a pinned source.

Source: Django 5.2.8's translation catalogues (BSD-3-Clause; the wheel's SHA-256 is pinned): every msgstr of
the seven languages customers write in (es, pt and pt_BR, fr, de, it, nl), and the English msgids. Short UI
sentences written by people ("Enter a valid email address.", "Introduzca una dirección de correo válida."),
which is what a language identifier for short chat messages needs. Placeholders and markup are removed, and
each text is kept once. Rebuilding writes the same bytes (sorted; data/DATA_CARD.md holds its hash).
"""

from __future__ import annotations

import ast
import re
import zipfile
from pathlib import Path

from infra.detection.build_encoder import fetch_wheel, sha256

WHEEL = "django==5.2.8"
WHEEL_SHA256 = "37e687f7bd73ddf043e2b6b97cfe02fcbb11f2dbb3adccc6a2b18c6daa054d7f"
LOCALES = {"es": "es", "pt": "pt", "pt_BR": "pt", "fr": "fr", "de": "de", "it": "it", "nl": "nl"}
OUT = Path("data/language/django_po.tsv")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w*\}|<[^>]+>|&\w+;")
_ENTRY = re.compile(r'^(msgid|msgstr(?:\[\d\])?)\s+(".*")\s*$')


def _fetch() -> Path:
    return fetch_wheel(WHEEL, "django-5.2.8-*.whl", WHEEL_SHA256)


def entries(po: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs of a .po file; continuation lines joined; the header entry left out."""
    pairs, field, values = [], None, {}
    for line in [*po.splitlines(), ""]:
        match = _ENTRY.match(line)
        if match:
            field = match.group(1)
            values[field] = values.get(field, "") + ast.literal_eval(match.group(2))
        elif line.startswith('"') and field:
            values[field] += ast.literal_eval(line)
        elif not line.strip() and values:
            msgid = values.get("msgid", "")
            for key, text in values.items():
                if key.startswith("msgstr") and msgid:
                    pairs.append((msgid, text))
            field, values = None, {}
    return pairs


def clean(text: str) -> str:
    return " ".join(_PLACEHOLDER.sub(" ", text).split()).strip(" .:,;")


def corpus(wheel: Path) -> list[tuple[str, str]]:
    rows: set[tuple[str, str]] = set()
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            parts = name.split("/")
            if not name.endswith("/LC_MESSAGES/django.po") or parts[-3] not in LOCALES:
                continue
            for msgid, msgstr in entries(archive.read(name).decode("utf-8")):
                for language, text in (("en", msgid), (LOCALES[parts[-3]], msgstr)):
                    text = clean(text)
                    if len(text.split()) >= 2:  # a word alone says little about its language
                        rows.add((language, text))
    return sorted(rows)


def main() -> None:
    rows = corpus(_fetch())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("".join(f"{language}\t{text}\n" for language, text in rows), encoding="utf-8")
    counts = {language: sum(r[0] == language for r in rows) for language in sorted({r[0] for r in rows})}
    print(f"{OUT}: {len(rows)} texts {counts} sha256 {sha256(OUT)}")


if __name__ == "__main__":
    main()
