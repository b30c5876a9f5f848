"""Validators of a partner's identity, bank details and documents."""
import ast
import importlib
from pathlib import Path

import pytest

from console.errors import DomainError
from console.partners import validators
from console.partners.demo import demo_pdf

FR_IBAN = "FR7630006000011234567890189"
DE_IBAN = "DE89370400440532013000"


def refusal_of(call, *args):
    """The DomainError raised by ``call(*args)``."""
    with pytest.raises(DomainError) as refusal:
        call(*args)
    return refusal.value


@pytest.mark.parametrize("module", ["console.money.rules", "console.complaints.rules", "console.partners.validators",
                                    "console.partners.documents", "console.accounts.rules"])
def test_rules_import_neither_flask_nor_werkzeug(module):
    tree = ast.parse(Path(importlib.import_module(module).__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {name.split(".")[0] for name in imported} & {"flask", "flask_appbuilder", "werkzeug"}


@pytest.mark.parametrize("validate, field", [
    (validators.validate_siret, "siret"),
    (validators.validate_iban, "iban"),
    (validators.validate_bic, "bic"),
    (validators.validate_email, "email"),
    (validators.validate_postcode, "postcode"),
    (lambda value: validators.validate_required(value, "holder"), "holder"),
])
@pytest.mark.parametrize("blank", [None, "", "  \t "])
def test_blank_values_are_required(validate, field, blank):
    refusal = refusal_of(validate, blank)
    assert (refusal.rule, refusal.field, refusal.params) == ("required", field, {})


def test_required_value_is_stripped():
    assert validators.validate_required("  Mairie de Lens ", "holder") == "Mairie de Lens"


# -- SIRET --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, siret", [
    ("73282932000074", "73282932000074"),  # Luhn-valid
    ("732 829 320 00074", "73282932000074"),  # spaces accepted
    ("35600000000048", "35600000000048"),  # La Poste head office (Luhn-valid)
    (" 356 000 000 49837 ", "35600000049837"),  # La Poste establishment: digit sum multiple of 5, not Luhn
])
def test_valid_siret(value, siret):
    assert validators.validate_siret(value) == siret


@pytest.mark.parametrize("value, siret, message", [
    ("73282932000075", "73282932000075", "check digit"),
    ("35600000049838", "35600000049838", "check digit"),  # La Poste: digit sum not a multiple of 5
    ("7328293200007", "7328293200007", "14 digits"),
    ("732829320000745", "732829320000745", "14 digits"),
    ("7328293200007A", "7328293200007A", "only digits"),
])
def test_invalid_siret(value, siret, message):
    refusal = refusal_of(validators.validate_siret, value)
    assert (refusal.rule, refusal.field) == ("siret", "siret")
    assert refusal.params == {"siret": siret, "length": len(siret)}
    assert message in refusal.message


# -- IBAN and BIC -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, iban", [
    ("FR76 3000 6000 0112 3456 7890 189", FR_IBAN),
    ("fr76 3000 6000 0112 3456 7890 189", FR_IBAN),  # lowercase and spaces normalised
    (FR_IBAN, FR_IBAN),
    ("DE89 3704 0044 0532 0130 00", DE_IBAN),
    ("MC58 1122 2000 0101 2345 6789 030", "MC5811222000010123456789030"),
])
def test_valid_iban(value, iban):
    assert validators.validate_iban(value) == iban


@pytest.mark.parametrize("value, iban, message", [
    ("FR77 3000 6000 0112 3456 7890 189", "FR7730006000011234567890189", "check digits"),
    ("FR76 3000 6000 0112 3456 7890 188", "FR7630006000011234567890188", "check digits"),
    ("FR76 3000 6000 0112 3456 7890 18", "FR763000600001123456789018", "wrong length"),
    ("FR06 3000 6000 0112 3456 7890 188", "FR0630006000011234567890188", "RIB key"),  # mod-97 right, RIB key wrong
    ("XX76 3000 6000 0112 3456 7890 189", "XX7630006000011234567890189", "unknown country"),
    ("FR76 3000 6000 0112 3456 7890 1A9", "FR76300060000112345678901A9", "not well formed"),
])
def test_invalid_iban(value, iban, message):
    refusal = refusal_of(validators.validate_iban, value)
    assert (refusal.rule, refusal.field) == ("iban", "iban")
    assert refusal.params == {"iban": iban, "length": len(iban)}
    assert message in refusal.message


@pytest.mark.parametrize("value, iban, bic", [
    ("bnpafrpp", None, "BNPAFRPP"),
    ("BNPA FR PP XXX", FR_IBAN, "BNPAFRPPXXX"),
    ("AGRIMQMX", FR_IBAN, "AGRIMQMX"),  # a Martinique bank with a French IBAN
    ("COBADEFFXXX", "de89 3704 0044 0532 0130 00", "COBADEFFXXX"),
])
def test_valid_bic(value, iban, bic):
    assert validators.validate_bic(value, iban) == bic


@pytest.mark.parametrize("value, message", [
    ("BNPAFR", "8 or 11"),
    ("BNPAFRPPXX", "8 or 11"),
    ("BNPA1RPP", "not well formed"),
    ("BNPAZZPP", "unknown country"),
])
def test_invalid_bic(value, message):
    refusal = refusal_of(validators.validate_bic, value)
    assert (refusal.rule, refusal.field) == ("bic", "bic")
    assert refusal.params == {"bic": value, "length": len(value)}
    assert message in refusal.message


@pytest.mark.parametrize("bic, iban, bic_country, iban_country", [
    ("COBADEFF", FR_IBAN, "DE", "FR"),
    ("BNPAFRPP", DE_IBAN, "FR", "DE"),
    ("AGRIMQMX", DE_IBAN, "MQ", "DE"),  # the French zone tolerance only applies to French IBANs
])
def test_bic_from_another_country_than_the_iban_is_refused(bic, iban, bic_country, iban_country):
    refusal = refusal_of(validators.validate_bic, bic, iban)
    assert (refusal.rule, refusal.field) == ("bic", "bic")
    assert refusal.params == {"bic": bic, "bic_country": bic_country, "iban_country": iban_country}


@pytest.mark.parametrize("iban, masked", [
    (FR_IBAN, "FR76 **** **** **** **** ***0 189"),
    ("fr76 3000 6000 0112 3456 7890 189", "FR76 **** **** **** **** ***0 189"),
    (DE_IBAN, "DE89 **** **** **** **30 00"),
    ("FR76", "****"),  # too short to show anything
])
def test_mask_iban(iban, masked):
    assert validators.mask_iban(iban) == masked


# -- e-mail and postcode ------------------------------------------------------------------------

@pytest.mark.parametrize("value, email", [
    (" Jean.Dupont@Example.FR ", "Jean.Dupont@example.fr"),  # only the domain is case-insensitive
    ("accueil+pass@mairie-lens.fr", "accueil+pass@mairie-lens.fr"),
    ("a@sub.domaine.gouv.fr", "a@sub.domaine.gouv.fr"),
])
def test_valid_email(value, email):
    assert validators.validate_email(value) == email


@pytest.mark.parametrize("value", [
    "jean", "jean@", "@mairie.fr", "jean@mairie", "jean dupont@mairie.fr", "jean@dupont@mairie.fr",
    "jean@-mairie.fr", "jean@mairie.f", "x" * 250 + "@m.fr",
])
def test_invalid_email(value):
    refusal = refusal_of(validators.validate_email, value)
    assert (refusal.rule, refusal.field, refusal.params) == ("email", "email", {"email": value})


@pytest.mark.parametrize("value, postcode", [
    ("01000", "01000"),  # lowest
    ("75001", "75001"),
    ("20000", "20000"),  # Corsica (Ajaccio)
    ("20200", "20200"),  # Corsica (Bastia)
    ("97400", "97400"),  # overseas
    ("98999", "98999"),  # highest
    (" 62 300 ", "62300"),
])
def test_valid_postcode(value, postcode):
    assert validators.validate_postcode(value) == postcode


@pytest.mark.parametrize("value, postcode", [
    ("00999", "00999"),
    ("99000", "99000"),
    ("7500", "7500"),
    ("750011", "750011"),
    ("2A004", "2A004"),  # a Corsican INSEE code, not a postcode
    ("abcde", "ABCDE"),
])
def test_invalid_postcode(value, postcode):
    refusal = refusal_of(validators.validate_postcode, value)
    assert (refusal.rule, refusal.field, refusal.params) == ("postcode", "postcode", {"postcode": postcode})


# -- uploads ------------------------------------------------------------------------------------

PDF = demo_pdf("CGU 2026")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32
HTML = b"<html><body><script>alert(1)</script></body></html>"
TRUNCATED_PDF = b"%PDF-1.7\n" + b"x" * 2048
EOF_FAR_FROM_END = b"%PDF-1.7\n%%EOF\n" + b"x" * 2048
MAX_BYTES = 4096


@pytest.mark.parametrize("filename, data, safe", [
    ("CGU 2026.pdf", PDF, "CGU_2026.pdf"),
    ("../../etc/passwd.pdf", PDF, "passwd.pdf"),  # no path
    ("C:\\Users\\élu\\Règlement été.PDF", PDF, "Reglement_ete.pdf"),  # ASCII only
    ("cgu", PDF, "cgu.pdf"),
    (".pdf", PDF, "document.pdf"),
    ("cgu.pdf", next(pdf for n in range(MAX_BYTES) if len(pdf := demo_pdf("x" * n)) == MAX_BYTES),
     "cgu.pdf"),  # exactly the limit
])
def test_pdf_upload_accepted_under_a_safe_name(filename, data, safe):
    assert validators.check_pdf_upload(filename, data, MAX_BYTES) == safe


@pytest.mark.parametrize("data", [EXE, HTML, TRUNCATED_PDF, EOF_FAR_FROM_END, PNG, JPEG, b""])
def test_non_pdf_upload_refused(data):
    refusal = refusal_of(validators.check_pdf_upload, "cgu.pdf", data, MAX_BYTES)
    assert (refusal.rule, refusal.field) == ("upload", "file")
    assert refusal.params == {"filename": "cgu.pdf", "accepted": "PDF"}


# 49 bytes: a PDF's header and trailer around an HTML page that runs script.
POLYGLOT = b"%PDF-<html><script>alert(1)</script></html>\n%%EOF"
NO_PAGE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("data", [POLYGLOT, NO_PAGE_PDF, b"%PDF-1.4\n" + b"\x00" * 64 + b"\n%%EOF"])
def test_a_pdf_that_no_parser_opens_or_without_page_is_refused(data):
    assert len(POLYGLOT) == 49
    for check in (validators.check_pdf_upload, validators.check_rib_document):
        refusal = refusal_of(check, "cgu.pdf", data, MAX_BYTES)
        assert (refusal.rule, refusal.field) == ("upload", "file")


@pytest.mark.parametrize("data", [demo_pdf("<script>alert(1)</script>"), demo_pdf("/JavaScript"),
                                  PNG + b"<html><body>x</body></html>", JPEG + b"<svg onload=alert(1)>"])
def test_a_document_holding_html_or_script_is_refused(data):
    refusal = refusal_of(validators.check_rib_document, "rib.pdf", data, MAX_BYTES)
    assert (refusal.rule, refusal.field, refusal.params) == ("upload", "file", {"filename": "rib.pdf"})


@pytest.mark.parametrize("check", [validators.check_pdf_upload, validators.check_rib_document])
def test_oversized_upload_refused(check):
    data = PDF + b"\x00" * (MAX_BYTES + 1 - len(PDF))
    refusal = refusal_of(check, "big.pdf", data, MAX_BYTES)
    assert (refusal.rule, refusal.field) == ("upload", "file")
    assert refusal.params == {"filename": "big.pdf", "size": MAX_BYTES + 1, "max_bytes": MAX_BYTES}


@pytest.mark.parametrize("filename, data, safe", [
    ("RIB.pdf", PDF, "RIB.pdf"),
    ("RIB.png", PNG, "RIB.png"),
    ("scan rib.jpeg", JPEG, "scan_rib.jpg"),
    ("rib.pdf", PNG, "rib.png"),  # the content decides the extension
])
def test_rib_document_accepted_by_its_content(filename, data, safe):
    assert validators.check_rib_document(filename, data, MAX_BYTES) == safe


@pytest.mark.parametrize("filename, data", [
    ("rib.pdf", EXE),  # renamed executable
    ("rib.exe", EXE),
    ("rib.png", HTML),
    ("rib.pdf", HTML),
    ("rib.pdf", TRUNCATED_PDF),
])
def test_rib_document_of_another_kind_refused(filename, data):
    refusal = refusal_of(validators.check_rib_document, filename, data, MAX_BYTES)
    assert (refusal.rule, refusal.field) == ("upload", "file")
    assert refusal.params == {"filename": filename, "accepted": "PDF, PNG, JPG"}
