"""Every write goes through here: check the rule, change the rows, write the audit entry.
The caller (a view or a command) commits once. Loaders turn rows into domain data.

Where things are. An area is a package with the same inner shape (today `requirements`,
with its categories, quality flags, library and IT answers, and `weighting`, with the
price settings): `rules.py` holds the checks and decisions that need no database (it
imports neither SQLAlchemy nor Flask nor the models, and takes model objects as
arguments); `reads.py` the queries behind pages and files (it adds, deletes, flushes
and audits nothing); `writes.py` every change, each with its audit entry. Inside a file,
section comments name the area's topics. The package's `__init__` re-exports the public
names in `__all__`, so callers write `from selector.services import requirements`.
`tests/test_service_shape.py` checks the shape. The other modules here are one topic each.
"""
