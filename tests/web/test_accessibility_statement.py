"""The accessibility statement (issue 22): public, and linked from every page's footer."""

from __future__ import annotations

import re


def test_the_statement_is_public_and_linked_from_the_footer(app):
    client = app.test_client()
    statement = client.get("/accessibility")
    assert statement.status_code == 200
    html = statement.get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Accessibility statement</h1>", html)
    assert "WCAG) 2.1 at level AA" in html
    login = client.get("/login").get_data(as_text=True)
    footer = re.search(r'<footer class="footer">.*?</footer>', login, re.S).group(0)
    assert '<a href="/accessibility">Accessibility</a>' in footer
