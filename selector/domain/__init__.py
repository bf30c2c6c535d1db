"""The selection method (method.md) as pure Python: dataclasses in, ranking document out.

Imports nothing from Flask, SQLAlchemy or the rest of selector.
"""
