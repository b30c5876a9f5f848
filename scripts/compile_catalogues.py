"""Merge each language's catalogue fragments (translations/<lang>/LC_MESSAGES/*.po) into messages.mo.

Each domain keeps its own fragment, so parallel work never edits one shared
file; Flask-Babel reads the single compiled ``messages`` domain. The compiled
catalogues go inside the package (``console/catalogues``), where the console
reads them: ``make translations`` writes them there for a source checkout, and
the package build (setup.py) writes them into every wheel and ``pip install``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PROJECT = Path(__file__).resolve().parent.parent
ROOT = PROJECT / "translations"
TARGET = PROJECT / "console" / "catalogues"


def merged(language_dir: Path, conflicts: list[str] | None = None) -> Catalog:
    """One catalogue from every fragment of a language; the first translation of a msgid wins."""
    catalog = Catalog(locale=language_dir.name)
    for path in sorted((language_dir / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language_dir.name):
                if not message.id or not message.string or message.fuzzy:
                    continue
                known = catalog.get(message.id, message.context)
                if known is not None:
                    if known.string != message.string and conflicts is not None:
                        conflicts.append(f"{path.name}: {message.id!r}")
                    continue
                catalog[message.id] = message
    return catalog


def compile_catalogues(source: Path = ROOT, target: Path = TARGET) -> dict[str, int]:
    """Write ``target/<lang>/LC_MESSAGES/messages.mo`` for each language of ``source``; messages per language."""
    counts = {}
    for language_dir in sorted(p for p in source.iterdir() if (p / "LC_MESSAGES").is_dir()):
        catalog = merged(language_dir)
        folder = target / language_dir.name / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
        counts[language_dir.name] = len(catalog)
    if not counts.get("fr"):
        raise SystemExit(f"no French messages found under {source}: the console would be English")
    return counts


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else TARGET
    for language, count in compile_catalogues(target=target).items():
        print(f"{language}: {count} messages")


if __name__ == "__main__":
    main()
