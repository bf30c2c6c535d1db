"""The error every `selector` command raises for a user to read."""

from __future__ import annotations


class CommandError(Exception):
    """A problem to report to the user: each line is one sentence."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
