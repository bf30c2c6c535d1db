"""The `selector` command as a user runs it: a real process, real files, a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE
from tests.conftest import assert_ranking_matches


def selector(*args, stdin: str | None = None, env_url: str | None = None):
    env = dict(os.environ)
    if env_url:
        env["DATABASE_URL"] = env_url
    return subprocess.run(
        [sys.executable, "-m", "selector.cli.main", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
    )


def test_rank_a_file_as_json_equals_the_expected_ranking(expected_ranking):
    result = selector("rank", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    assert_ranking_matches(json.loads(result.stdout), expected_ranking)


def test_rank_an_imported_selection_equals_the_expected_ranking(database_url, expected_ranking):
    imported = selector("import", str(EXAMPLE), env_url=database_url)
    assert imported.returncode == 0, imported.stderr
    selection_id = imported.stdout.strip().splitlines()[-1]
    assert selection_id.isdigit()
    result = selector("rank", "--selection", selection_id, "--json", env_url=database_url)
    assert result.returncode == 0, result.stderr
    assert_ranking_matches(json.loads(result.stdout), expected_ranking)


def test_rank_prints_a_readable_table():
    result = selector("rank", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "CRM selection Gemeente Voorbeeld 2026"
    northwind = next(line for line in lines if "Northwind CRM" in line)
    assert northwind.split()[0] == "1" and "70.89" in northwind
    polder = next(line for line in lines if "PolderSuite" in line)
    assert "EXCLUDED: failed IT-BRW-01" in polder


def _broken(example: dict, name: str):
    doc = json.loads(json.dumps(example))
    if name == "unknown category":
        doc["requirements"][7]["category"] = "salse"
        return doc, "requirements[7].category"
    if name == "duplicate code":
        doc["requirements"][3]["code"] = doc["requirements"][1]["code"]
        return doc, "requirements[3].code"
    if name == "score out of range":
        doc["scores"][12]["score"] = 7
        return doc, "scores[12].score"
    if name == "knock-out without rationale":
        code = next(i for i, r in enumerate(doc["requirements"]) if r["knockout"])
        doc["requirements"][code]["knockout_rationale"] = " "
        return doc, f"requirements[{code}].knockout_rationale"
    if name == "unknown key":
        doc["vendors"][2]["prize"] = 1
        return doc, "vendors[2].prize"
    if name == "wrong format":
        doc["format"] = "selector/ranking"
        return doc, "format"
    if name == "newer version":
        doc["version"] = 2
        return doc, "newer"
    raise AssertionError(name)


BROKEN = [
    "unknown category",
    "duplicate code",
    "score out of range",
    "knock-out without rationale",
    "unknown key",
    "wrong format",
    "newer version",
]


@pytest.mark.parametrize("name", BROKEN + ["invalid JSON", "empty file"])
def test_a_broken_file_is_refused_and_nothing_is_written(name, tmp_path, database_url, example_doc):
    path = tmp_path / "broken.json"
    if name == "invalid JSON":
        path.write_text('{"format": "selector/selection",\n  "version": 1,,}', encoding="utf-8")
        place = "JSON"
    elif name == "empty file":
        path.write_text("", encoding="utf-8")
        place = "empty"
    else:
        doc, place = _broken(example_doc, name)
        path.write_text(json.dumps(doc), encoding="utf-8")
    result = selector("import", str(path), env_url=database_url)
    assert result.returncode == 1
    assert place in result.stderr
    assert "Traceback" not in result.stderr
    listed = selector("list", "--json", env_url=database_url)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


def test_rank_refuses_a_broken_file_in_one_sentence(tmp_path, example_doc):
    doc, _ = _broken(example_doc, "unknown category")
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = selector("rank", str(path))
    assert result.returncode == 1
    assert "requirements[7].category: unknown category 'salse'" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_list_export_round_trip(tmp_path, database_url, example_doc):
    from selector.files.selection_file import canonical
    from selector.files.selection_file import validate

    imported = selector("import", str(EXAMPLE), env_url=database_url)
    selection_id = imported.stdout.strip().splitlines()[-1]
    listed = json.loads(selector("list", "--json", env_url=database_url).stdout)
    assert listed == [{"id": int(selection_id), "name": "CRM selection Gemeente Voorbeeld 2026"}]
    out = tmp_path / "out.json"
    exported = selector("export", selection_id, "-o", str(out), env_url=database_url)
    assert exported.returncode == 0, exported.stderr
    again = json.loads(out.read_text(encoding="utf-8"))
    assert canonical(validate(again)) == canonical(validate(example_doc))


def test_errors_for_missing_things_are_one_sentence(database_url):
    for args in (("export", "999"), ("rank", "--selection", "999"), ("rank", "nofile.json")):
        result = selector(*args, env_url=database_url)
        assert result.returncode == 1, args
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, args


def test_users_create_and_password_policy(database_url):
    def create(email, password, *flags):
        return selector("users", "create", email, "--name", "Ann", *flags, "--password-stdin",
                        stdin=password + "\n", env_url=database_url)

    weak = create("ann@example.org", "password")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    common = create("ann@example.org", "1234567890")
    assert common.returncode == 1 and "common" in common.stderr
    ok = create("Ann@Example.org", "a sound passphrase 42", "--admin")
    assert ok.returncode == 0, ok.stderr
    assert "ann@example.org (admin)" in ok.stdout
    again = selector(
        "users",
        "set-password",
        "ann@example.org",
        "--password-stdin",
        stdin="another sound one 43\n",
        env_url=database_url,
    )
    assert again.returncode == 0, again.stderr


def test_a_sub_command_parses_alike_with_only_its_own_parser(capsys):
    from selector.cli.main import COMMANDS
    from selector.cli.main import build_parser

    for argv in (["rank", "--selection", "7", "--json"], ["rank", "file.json"],
                 ["db", "downgrade", "base"], ["users", "create", "a@b.nl", "--name", "A"],
                 ["requirements", "export", "3", "-o", "x.xlsx"], ["export", "2"]):
        assert build_parser(argv[0]).parse_args(argv) == build_parser().parse_args(argv)
    with pytest.raises(SystemExit) as refused:
        build_parser("ranks").parse_args(["ranks"])
    error = capsys.readouterr().err
    assert refused.value.code == 1 and error.count("\n") == 1  # one sentence, status 1
    assert "invalid choice: 'ranks'" in error and all(f"'{name}'" in error for name in COMMANDS)
    with pytest.raises(SystemExit):
        build_parser("-h").parse_args(["-h"])
    listing = capsys.readouterr().out
    assert all(name in listing for name in COMMANDS) and "compute a ranking" in listing
    with pytest.raises(SystemExit) as refused:
        build_parser("rank").parse_args(["rank", "--bogus"])
    assert refused.value.code == 1
    assert capsys.readouterr().err == (
        "selector: unrecognized arguments: --bogus (see 'selector -h')\n")


FREEZE_PROBE = """
import gc, io, sys, contextlib
from selector.cli.main import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["rank", sys.argv[1], "--json"])  # a caller's own arguments: left alone
    called = gc.get_freeze_count()
    sys.argv = ["selector", "rank", sys.argv[1], "--json"]
    main()  # the process's own command line: it ends next
print(called, gc.get_freeze_count())
"""


def test_only_the_process_own_command_freezes_its_objects_for_a_quick_exit():
    done = subprocess.run([sys.executable, "-c", FREEZE_PROBE, str(EXAMPLE)], text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    called, own = map(int, done.stdout.split())
    assert called == 0 and own > 10_000


def _priced_file(tmp_path, **settings) -> str:
    """A losing bid decides the winner (tests/domain/test_price_methods.py, REVERSAL)."""
    doc = {
        "format": "selector/selection", "version": 1,
        "selection": {"name": "Prices", "price_weight": 0.3, **settings},
        "categories": [{"key": "c", "name": "Functions", "domain": "business"}],
        "requirements": [{"code": "R1", "category": "c", "title": "Function",
                          "priority": "must", "verification": "demo", "intent": "achieve"}],
        "members": [{"email": "m@example.org", "name": "M", "role": "business"}],
        "vendors": [{"key": k, "name": n, "tco": t}
                    for k, n, t in (("a", "Alpha", 200), ("b", "Beta", 100), ("c", "Gamma", 50))],
        "scores": [{"member": "m@example.org", "vendor": k, "requirement": "R1", "score": s}
                   for k, s in (("a", 4), ("b", 3), ("c", 1))],
    }
    path = tmp_path / "priced.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_rank_says_which_losing_bid_decides_the_winner(tmp_path):
    path = _priced_file(tmp_path)
    document = json.loads(selector("rank", path, "--json").stdout)
    assert document["rank_reversal"] == [{"without": "c", "new_winner": "b"}]
    table = selector("rank", path)
    assert table.returncode == 0, table.stderr
    assert "price method: lowest_ratio" in table.stdout
    assert "rank reversal: without Gamma, Beta would rank first" in table.stdout


def test_rank_marks_a_vendor_below_the_quality_threshold(tmp_path):
    table = selector("rank", _priced_file(tmp_path, quality_threshold=50)).stdout
    gamma = next(line for line in table.splitlines() if "Gamma" in line)
    assert "EXCLUDED: below the quality threshold" in gamma
    assert "rank reversal" not in table


def test_rank_refuses_an_impossible_price_setting_in_one_sentence(tmp_path):
    result = selector("rank", _priced_file(tmp_path, price_method="log", log_factor=1))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "priced.json: selection.log_factor: the log factor must be more than 1 (the multiple "
        "of the lowest bid that earns no points)")
    assert len(result.stderr.strip().splitlines()) == 1
