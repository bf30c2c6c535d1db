"""Knock-out verdicts in the browser: who records them, the documents (checked by
content, size-limited, served only to members as a download)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from selector.models import Attachment
from selector.models import Verdict
from tests.web.scoring_world import BRAM
from tests.web.scoring_world import FENNA
from tests.web.scoring_world import INGRID
from tests.web.scoring_world import MARLOES
from tests.web.scoring_world import build_world
from tests.web.scoring_world import page_text
from tests.web.scoring_world import signed_in

PDF = b"%PDF-1.4\n%evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
EXE = b"MZ\x90\x00\x03" + b"\0" * 32


def record(browser, world, passed="failed", evidence="Needs IE mode.", document=None,
           code="IT-BRW-01", vendor="polder", version=""):
    rid, vid = world.requirements[code], world.vendors[vendor]
    key = f"v{rid}-{vid}"
    data = {f"{key}-passed": passed, f"{key}-evidence": evidence, f"{key}-version": version}
    if document is not None:
        data[f"{key}-document"] = document
    browser.refresh_token(f"/selections/{world.selection}/verdicts")
    return browser.post(
        f"/selections/{world.selection}/verdicts/requirements/{rid}/vendors/{vid}", data,
        content_type="multipart/form-data")


def stored(dbs):
    with dbs.transaction(write=False) as s:
        return (s.scalar(select(func.count()).select_from(Verdict)),
                s.scalar(select(func.count()).select_from(Attachment)))


def test_the_owner_group_records_a_failure_with_a_document(app, dbs, world, tmp_path):
    import io
    ingrid = signed_in(app, INGRID)
    response = record(ingrid, world, document=(io.BytesIO(PDF), "test report.pdf"))
    assert response.status_code == 302, page_text(response)[:3000]
    page = signed_in(app, BRAM).get(f"/selections/{world.selection}/verdicts")
    html = page.get_data(as_text=True)
    assert "failed: excluded" in html and "Needs IE mode." in html
    with dbs.transaction(write=False) as s:
        attachment = s.scalar(select(Attachment))
    assert attachment.filename == "test report.pdf"
    assert (tmp_path / "instance" / "attachments" / str(attachment.id)).read_bytes() == PDF
    url = f"/selections/{world.selection}/verdicts/documents/{attachment.id}"
    assert url in html
    download = signed_in(app, MARLOES).get(url)  # every member, sponsors too
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "test%20report.pdf" in download.headers["Content-Disposition"] or \
        'test report.pdf' in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_documents_are_served_only_to_members(app, dbs, world):
    import io
    record(signed_in(app, INGRID), world, document=(io.BytesIO(PDF), "r.pdf"))
    with dbs.transaction(write=False) as s:
        attachment_id = s.scalar(select(Attachment.id))
    url = f"/selections/{world.selection}/verdicts/documents/{attachment_id}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = build_world(dbs)  # the same people, another selection: its id does not serve it
    assert signed_in(app, FENNA).get(
        f"/selections/{other.selection}/verdicts/documents/{attachment_id}").status_code == 404
    from selector.services import accounts
    from tests.web.conftest import make_account
    with dbs.transaction() as s:
        if accounts.find_account(s, "otto@example.org") is None:
            make_account(s, "otto@example.org", "Otto Buiten")
    assert signed_in(app, "otto@example.org").get(url).status_code == 404


def test_a_pdf_name_with_other_content_is_refused(app, dbs, world):
    import io
    ingrid = signed_in(app, INGRID)
    for content in (PNG, EXE, b"<html><script>alert(1)</script>"):
        response = record(ingrid, world, document=(io.BytesIO(content), "annex.pdf"))
        assert response.status_code == 422
        assert ("does not match its content" in page_text(response)
                or "Only PDF, PNG and JPEG" in page_text(response))
    assert stored(dbs) == (0, 0)


def test_a_document_over_10_mb_is_refused(app, dbs, world):
    import io
    big = PDF + b"0" * (10 * 1024 * 1024)
    response = record(signed_in(app, INGRID), world, document=(io.BytesIO(big), "big.pdf"))
    assert response.status_code == 422
    assert "larger than 10 MB" in page_text(response)
    assert stored(dbs) == (0, 0)


def test_business_members_do_not_record_it_knockouts(app, dbs, world):
    bram = signed_in(app, BRAM)
    response = record(bram, world)
    assert response.status_code == 422
    assert "owner group" in page_text(response)
    page = bram.get(f"/selections/{world.selection}/verdicts").get_data(as_text=True)
    assert "Record the verdict" not in page  # no form for someone who may not
    assert stored(dbs) == (0, 0)
    assert record(signed_in(app, MARLOES), world).status_code == 403


def test_a_stale_verdict_form_gets_409(app, dbs, world):
    fenna, ingrid = signed_in(app, FENNA), signed_in(app, INGRID)
    assert record(ingrid, world, passed="passed", evidence="Works in Edge.").status_code == 302
    stale = record(fenna, world, passed="failed", evidence="No", version="")
    assert stale.status_code == 409
    assert "first" in page_text(stale)
    assert record(fenna, world, passed="failed", evidence="Fails.", version="1").status_code \
        == 302


def test_verdicts_need_evidence_and_a_choice(app, dbs, world):
    ingrid = signed_in(app, INGRID)
    assert record(ingrid, world, evidence="").status_code == 422
    assert record(ingrid, world, passed="maybe").status_code == 422
    assert stored(dbs) == (0, 0)
