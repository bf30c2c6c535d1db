"""Every write goes through here: check the rule, change the rows, write the audit entry.
The caller (a view or a command) commits once. Loaders turn rows into domain data.

Where things are. An area is a package with the same inner shape:

- `requirements`: requirements, categories, quality flags, the library, IT's answers;
- `weighting`: allocations, pairwise comparison, requirement weights, the freeze, price;
- `scoring`: assignments, sheets, blind scoring's disclosures, the knock-out board,
  consensus;
- `vendors`: vendors and costs, portal links, questions, answers, proposed verdicts, the
  questionnaire workbook;
- `spreadsheets`: a committee's own file in (the mapping step), the export and template
  out, the upload stash and limit;
- `reports`: the report, sealed final reports, the recommendation, the sponsor's
  decision, the score-matrix workbook.

`rules.py` holds the checks and decisions that need no database (it imports neither
SQLAlchemy nor Flask nor the models, and takes model objects as arguments); `reads.py`
the queries behind pages and files (it adds, deletes, flushes and audits nothing);
`writes.py` every change, each with its audit entry. Inside a file, section comments
name the area's topics. The package's `__init__` re-exports the public names in
`__all__`, so callers write `from selector.services import requirements`.
`tests/test_service_shape.py` checks the shape.

The other modules here are one topic each, or shared by areas: `ranking` and `loader`
(one ranked selection; `selector rank` imports them without SQLAlchemy or Flask, which a
package `__init__` would load), `verdicts` and `item_decisions` (used by both scoring and
vendors; inside either, the two areas would import each other), `sandbox` and
`workbook_parse` (the separate process that parses untrusted files), the accounts'
modules, `analysis` and `audit_trail` (read-only pages), `selection_file`, `backup`.
"""
