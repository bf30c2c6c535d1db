"""Dutch and English: every message translated in both catalogues, the language chosen
by the user, else by the browser."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from selector.translations import CATALOGUES
from selector.translations import extract

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        return read_po(stream, locale=language)


def _complete(string) -> bool:
    if isinstance(string, (tuple, list)):
        return bool(string) and all(part.strip() for part in string)
    return bool(string and string.strip())


def test_every_message_has_a_dutch_and_an_english_translation():
    messages = [m for m in extract(ROOT) if m.id]
    assert len(messages) > 200  # the extraction found the code and the templates
    problems = []
    for language in ("nl", "en"):
        catalogue = _catalogue(language)
        for message in messages:
            found = catalogue.get(message.id, context=message.context)
            if found is None:
                problems.append(f"{language}: missing {message.id!r}")
            elif not _complete(found.string) or found.fuzzy:
                problems.append(f"{language}: untranslated {message.id!r}")
    assert not problems, (
        "run `python -m selector.translations`, then translate:\n" + "\n".join(problems))


def test_placeholders_survive_translation():
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]")
    for message in _catalogue("nl"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(pattern.findall(ids[-1]))
        for string in strings:
            if not string:
                continue  # untranslated: the completeness test reports it
            assert set(pattern.findall(string)) <= wanted | {"num"}, message.id
            assert wanted - {"num"} <= set(pattern.findall(string)), message.id


def test_domain_words_are_used_consistently_in_dutch():
    catalogue = _catalogue("nl")
    pairs = {"vendor": "leverancier", "weighting": "weging", "knock-out": "knock-out",
             "requirement": "eis", "consensus": "consensus"}
    for message in catalogue:
        if not message.id or isinstance(message.id, tuple) or not message.string:
            continue
        english, dutch = message.id.lower(), str(message.string).lower()
        english = re.sub(r"%\(\w+\)\w", "", english)  # a placeholder's name is no word
        for word, translation in pairs.items():
            if word in english and word != "requirement":
                assert translation in dutch, (message.id, message.string)
        if "requirement" in english and "requirements phase" not in english:
            assert "eis" in dutch or "eisen" in dutch, (message.id, message.string)


def test_the_browser_language_is_used_until_the_user_chooses(app, committee, browser):
    dutch = browser.get("/login", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"})
    assert "Inloggen" in dutch.get_data(as_text=True)
    assert '<html lang="nl">' in dutch.get_data(as_text=True)
    english = browser.get("/login", headers={"Accept-Language": "en-GB"})
    assert "Log in" in english.get_data(as_text=True)
    browser.refresh_token()
    assert browser.post("/language", {"language": "nl", "next": "/login"}).status_code == 302
    chosen = browser.get("/login", headers={"Accept-Language": "en-GB"})
    assert "Inloggen" in chosen.get_data(as_text=True)


def test_service_messages_reach_the_user_in_their_language(app, committee, browser):
    browser.login(committee.emails["facilitator"])
    browser.post("/language", {"language": "nl"})
    response = browser.post(f"/selections/{committee.selection_id}/members",
                            {"email": committee.emails["business"], "role": "it"})
    assert "Deze persoon is al lid." in response.get_data(as_text=True)
    password = browser.post("/account/password", {
        "current_password": "correct horse battery staple",
        "new_password": "password123", "confirm": "password123"})
    assert "Dit wachtwoord is een van de meest gebruikte" in password.get_data(as_text=True)


def test_service_messages_stay_english_without_a_request():
    from selector.i18n import _l
    from selector.services.errors import ServiceError
    from selector.services.selections import MAX_REASON

    error = ServiceError(_l("The reason can have at most %(count)d characters.",
                            count=MAX_REASON))
    assert str(error.message) == f"The reason can have at most {MAX_REASON} characters."
