"""`selector export ID --xlsx -o FILE.xlsx`: the score-matrix workbook (issue 22, item
4) from the command line, with the numbers `selector rank` prints, once scoring is
closed."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from tests.cli.test_cli import selector
from tests.cli.test_export import _import
from tests.conftest import EXAMPLE


def test_export_xlsx_writes_the_workbook_with_the_rankings_numbers(database_url, tmp_path):
    selection_id = str(_import(database_url))
    output = tmp_path / "matrix.xlsx"
    result = selector("export", selection_id, "--xlsx", "-o", str(output), env_url=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"wrote {output} (")
    ranked = selector("rank", "--selection", selection_id, "--json", env_url=database_url)
    document = json.loads(ranked.stdout)

    workbook = load_workbook(output)
    assert workbook.sheetnames == ["Ranking", "Weights", "Score matrix"]
    rows = list(workbook["Ranking"].iter_rows(values_only=True))
    header = rows[0]
    written = {row[header.index("Vendor")]: row for row in rows[1:]}
    for vendor in document["vendors"]:
        row = written[vendor["name"]]
        assert row[header.index("Rank")] == vendor["rank"]
        # openpyxl writes 16 significant digits ("%.16g")
        assert row[header.index("Total")] == pytest.approx(vendor["total"], rel=1e-15)
        assert row[header.index("Quality")] == pytest.approx(vendor["quality"], rel=1e-15)
    weights = list(workbook["Weights"].iter_rows(values_only=True))
    column = weights[0].index("Weight in the ranking")
    assert [row[column] for row in weights[1:len(document["category_weights"]) + 1]] == \
        pytest.approx(list(document["category_weights"].values()), rel=1e-15)


def test_export_xlsx_is_refused_before_scoring_closes_and_writes_nothing(database_url,
                                                                       tmp_path):
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc.update(scores=[], consensus=[], knockouts=[])  # weights only: the weighting phase
    source = tmp_path / "weighting.json"
    source.write_text(json.dumps(doc), encoding="utf-8")
    selection_id = str(_import(database_url, source))
    output = tmp_path / "matrix.xlsx"
    result = selector("export", selection_id, "--xlsx", "-o", str(output), env_url=database_url)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"selector: selection {selection_id} is in the weighting phase; the score matrix "
        "is available when scoring is closed (the decision phase)")
    assert not output.exists()


def test_export_xlsx_needs_a_file_and_a_selection(database_url, tmp_path):
    selection_id = str(_import(database_url))
    without = selector("export", selection_id, "--xlsx", env_url=database_url)
    assert (without.returncode, without.stdout) == (1, "")
    assert "give the workbook's file name with -o FILE.xlsx" in without.stderr
    missing = selector("export", "999", "--xlsx", "-o", str(tmp_path / "m.xlsx"),
                       env_url=database_url)
    assert missing.returncode == 1 and "there is no selection 999" in missing.stderr
    folder = selector("export", selection_id, "--xlsx", "-o", str(tmp_path),
                      env_url=database_url)
    assert folder.returncode == 1 and "is a folder" in folder.stderr
