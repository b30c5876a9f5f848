"""French text follows French typography: ’ apostrophes, non-breaking spaces before « : ; ! ? » and inside « »."""
from babel.messages.pofile import read_po

from scripts.french_typography import ROOT, french


def test_every_french_translation_follows_french_typography():
    wrong = []
    for path in sorted(ROOT.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="fr"):
                if message.id and isinstance(message.string, str) and french(message.string) != message.string:
                    wrong.append(f"{path.name}: {message.string!r}")
    assert wrong == [], "run scripts/french_typography.py:\n" + "\n".join(wrong)


def test_the_rules_of_french_typography():
    assert french("Motif : l'IBAN ; « texte » ? ok!") == "Motif\u00a0: l’IBAN\u00a0; «\u00a0texte\u00a0»\u00a0? ok\u00a0!"
    assert french("à 10:30, https://x.fr/?a=1") == "à 10:30, https://x.fr/?a=1"
