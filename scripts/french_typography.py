"""Apply French typography to the msgstr of every French catalogue fragment (run after editing them).

Curly apostrophes (’), a non-breaking space before « : ; ! ? » and inside « », as the console's style
asks; tests/test_typography.py fails on a fragment that needs this.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES"
NBSP = "\u00a0"


def french(text: str) -> str:
    """One msgstr's text with French typography."""
    text = re.sub(r"(?<=\w)'(?=\w)", "’", text)
    text = re.sub(r"(?<=\S) ([:;!?])(?=\s|$|\")", NBSP + r"\1", text)
    text = re.sub(r"(?<=[\w)%»])([;!?])(?=\s|$)", NBSP + r"\1", text)
    text = re.sub(r"« ", "«" + NBSP, text)
    return re.sub(r" »", NBSP + "»", text)


def fix(path: Path) -> bool:
    """Rewrite the msgstr of one fragment (a msgstr on several lines is joined into one); True if it changed."""
    original = path.read_text(encoding="utf-8")
    lines, out, index, msgid = original.split("\n"), [], 0, None
    while index < len(lines):
        line = lines[index]
        if line.startswith("msgid"):
            msgid = line.partition(" ")[2][1:-1]
        elif line.startswith('"') and msgid is not None:
            msgid += line[1:-1]
        # The entry with an empty msgid is the catalogue's header (MIME fields), not French text.
        if line.startswith("msgstr") and msgid:
            keyword, _, first = line.partition(" ")
            parts = [first[1:-1]]
            while index + 1 < len(lines) and lines[index + 1].startswith('"'):
                index += 1
                parts.append(lines[index][1:-1])
            line = f'{keyword} "{french("".join(parts))}"'
            msgid = None
        out.append(line)
        index += 1
    text = "\n".join(out)
    if text != original:
        path.write_text(text, encoding="utf-8")
    return text != original


if __name__ == "__main__":
    changed = [path.name for path in sorted(ROOT.glob("*.po")) if fix(path)]
    print("rewritten:", ", ".join(changed) or "none")
    sys.exit(0)
