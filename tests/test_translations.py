"""Every string of the code has a French translation; the interface switches language."""
from pathlib import Path

from babel.messages.extract import extract_from_dir

from scripts.compile_catalogues import ROOT, merged

KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "N_": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("**/templates/**.txt", "jinja2")]


def code_messages() -> set[str]:
    console = Path(__file__).resolve().parent.parent / "console"
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(console), METHODS, keywords=KEYWORDS, options_map={"**/templates/**": {"extensions": "jinja2.ext.i18n"}}
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_message_has_a_french_translation():
    conflicts: list[str] = []
    french = merged(ROOT / "fr", conflicts)
    missing = sorted(m for m in code_messages() if m and not french.get(m))
    assert missing == [], f"{len(missing)} strings lack French: {missing[:20]}"
    assert conflicts == [], f"translated differently in two fragments: {conflicts}"


def test_login_page_is_french_by_default_and_switches_to_english(client):
    french = client.get("/login/").get_data(as_text=True)
    assert "Mot de passe" in french
    english = client.get("/login/?_l_=en").get_data(as_text=True)
    assert "Password" in english
