"""`python -m selector.translations`: update the .po files from the code and templates,
then list what still needs a translation. Translate those in `nl/LC_MESSAGES/messages.po`
(the English catalogue fills itself). `--check` only reports, changing nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from selector.translations import extract
from selector.translations import update

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        count = len([m for m in extract(ROOT) if m.id])
        print(f"{count} messages in the code and templates")
        return 0
    missing = update(ROOT)
    for language, messages in sorted(missing.items()):
        print(f"{language}: {len(messages)} untranslated")
        for message in messages:
            print(f"  {message}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
