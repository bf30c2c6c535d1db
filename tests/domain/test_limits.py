"""The one set of limits (selector.domain.limits): web links, e-mail addresses and text,
as both the forms and `selector import` apply them (issue 17, item 7)."""

from __future__ import annotations

import pytest

from selector.domain import limits
from selector.domain.limits import Refused
from selector.domain.limits import check_web_address
from selector.domain.limits import normalise_email
from selector.domain.limits import text_problem


@pytest.mark.parametrize("address", [
    "", "https://northwind.example", "http://northwind.example/crm?x=1#demo",
    "HTTPS://NORTHWIND.EXAMPLE", "https://northwind.example:8443/path@with-at",
    "https://xn--exmple-4nf.org",
])
def test_web_addresses_that_pass(address):
    assert check_web_address(address) == address


@pytest.mark.parametrize("address", [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://northwind.example",
    "//northwind.example",  # scheme-relative: not written out, so refused
    "northwind.example",  # a file is taken literally (the form adds https:// itself)
    "https:northwind.example",
    "https://northwind",  # no dot in the host
    "https://",
    "https://north wind.example",
    "https://northwind.example/\nSet-Cookie: x",
    "java\tscript:alert(1)",
    "https://evil.example/\u202egro.elpmaxe",  # shown backwards: "example.org"
    "https://north\u200bwind.example",
    "https://northwind.example/\x85",
    "https://bank.example@evil.example",  # reads as one site, opens another
    "https://northwind.example:99999",
    "https://[northwind",
])
def test_anything_but_an_http_or_https_link_is_refused(address):
    with pytest.raises(Refused) as refused:
        check_web_address(address)
    assert refused.value.reason == "web_address"


def test_a_web_address_has_the_website_length():
    longest = "https://northwind.example/" + "a" * (limits.max_length("vendor", "website") - 26)
    assert check_web_address(longest) == longest
    with pytest.raises(Refused) as refused:
        check_web_address(longest + "a")
    assert refused.value.reason == "too_long"


@pytest.mark.parametrize(("given", "stored"), [
    ("ingrid@example.org", "ingrid@example.org"),
    ("Ingrid@Example.ORG", "ingrid@example.org"),  # one account, whatever the case
    ("ingrid+crm@example.org", "ingrid+crm@example.org"),
    ("ingrid@xn--exmple-4nf.org", "ingrid@xn--exmple-4nf.org"),  # stays visibly different
])
def test_addresses_that_pass_are_stored_in_lower_case(given, stored):
    assert normalise_email(given) == stored


@pytest.mark.parametrize("address", [
    "іngrid@example.org",  # Cyrillic і
    "ingrid@exаmple.org",  # Cyrillic а in the domain
    "ｉngrid@example.org",  # full-width i (NFKC would make it "i")
    "ingrіd@example.org",
    "in\u200bgrid@example.org",  # an invisible zero-width space
    "ingrid@example.org\u00a0",
    "ìngrid@example.org",  # a decomposed or composed accent
    "ingrid@examp\u0131e.org",  # dotless ı
    "\u0399ngrid@example.org",  # Greek capital iota, lower-cases to ι
])
def test_look_alike_addresses_are_refused(address):
    with pytest.raises(Refused) as refused:
        normalise_email(address)
    assert refused.value.reason == "email_not_ascii"
    assert not refused.value.detail.isascii()


@pytest.mark.parametrize("address", [
    "fenna", "fenna@", "@example.org", '"fenna"@example.org', "fenna@[127.0.0.1]",
    "fenna@localhost", "fenna@selector.local", "fenna..de.vries@example.org",
    " fenna@example.org", "fenna@example.org\n", "fe\x00nna@example.org",
])
def test_what_the_forms_refused_is_refused(address):
    with pytest.raises(Refused) as refused:
        normalise_email(address)
    assert refused.value.reason == "email_invalid"


def test_an_address_has_at_most_254_characters():
    local = "a" * 64
    domain = ".".join(["b" * 58] * 3) + ".example.org"  # 188 characters: 253 in all
    address = f"{local}@{domain}"
    assert len(address) <= 254 and normalise_email(address) == address
    with pytest.raises(Refused) as refused:
        normalise_email("a" * 10_000_000 + "@example.org")  # refused before parsing
    assert refused.value.reason == "email_too_long"


def test_text_limits():
    assert text_problem("x" * 300, 300) is None
    assert text_problem("x" * 301, 300).reason == "too_long"
    assert text_problem("a\x00b", 300).reason == "nul"
    assert text_problem("a\ud800b", 300).reason == "surrogate"
    assert text_problem("tabs\tand\nlines, ëmoji 🙂", 300) is None


def test_the_forms_offer_only_scales_within_the_limits():
    from selector.services.selections import SCALES

    assert all(limits.SCALE_MIN <= scale <= limits.SCALE_MAX for scale in SCALES)


@pytest.mark.parametrize("given, number", [
    ("1", 1), ("42", 42), (" 42\n", 42), ("007", 7), ("0" * 5000 + "7", 7),
    (str(limits.MAX_ID), 2**31 - 1), (1, 1), (limits.MAX_ID, 2**31 - 1),
])
def test_ids_that_are_read(given, number):
    assert limits.parse_id(given) == number


@pytest.mark.parametrize("given", [
    "", " ", "0", "000", 0, "-1", -1, "+1", "- 1", "1 2", "1.0", 1.0, "1e3", "0x1f", "²",
    "٣", "１", "1_000", str(2**31), 2**31, 2**63, 10**30, "9" * 5000, True, False, None,
    [1], {"id": 1}, b"1",
])
def test_anything_else_names_no_row(given):
    assert limits.parse_id(given) is None
