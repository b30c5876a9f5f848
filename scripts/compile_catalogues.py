"""Merge each language's catalogue fragments (translations/<lang>/LC_MESSAGES/*.po) into messages.mo.

Each domain keeps its own fragment, so parallel work never edits one shared
file; Flask-Babel reads the single compiled ``messages`` domain.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent / "translations"


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


def main() -> None:
    for language_dir in sorted(p for p in ROOT.iterdir() if (p / "LC_MESSAGES").is_dir()):
        catalog = merged(language_dir)
        with (language_dir / "LC_MESSAGES" / "messages.mo").open("wb") as handle:
            write_mo(handle, catalog)
        print(f"{language_dir.name}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
