"""The accessibility statement (issue 22): a public page, linked from every footer,
because a Dutch public body must publish one for the software it uses (WCAG 2.1 AA)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template

from selector.web.guard import requires

blueprint = Blueprint("accessibility", __name__)


@blueprint.route("/accessibility")
@requires("accessibility.view")
def statement():
    return render_template("accessibility/statement.html")
