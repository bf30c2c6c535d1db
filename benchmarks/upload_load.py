"""Hostile uploads during a committee's scoring (security issue 17, item 2), full size:
members save scores through gunicorn on 127.0.0.1 while their facilitator uploads
hostile workbooks (2,000,000 nested elements, a moved sheet of 200,000 rows, a sheet of
long texts) and a legitimate 5,000-row catalogue in a loop, from several browsers.

    python benchmarks/upload_load.py                       # SQLite in a temporary folder
    python benchmarks/upload_load.py --members 46 --seconds 60 --uploaders 2
    DATABASE_URL=postgresql+psycopg://... python benchmarks/upload_load.py

Prints the latencies per kind of request and what the uploads got (422 refused, 200
previewed, 429 held back by the per-account limit); fails (exit 1) on any 5xx, a save
over 1 s, or an acknowledged save that is not stored. The short form runs in the tests
(`tests/trust/test_upload_load.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import loadkit  # noqa: E402
from benchmarks import uploadkit  # noqa: E402

MAX_SAVE = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=46, help="committee members (46)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the run (60)")
    parser.add_argument("--uploaders", type=int, default=2,
                        help="browsers of the facilitator uploading in a loop (2)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (4)")
    args = parser.parse_args(argv)

    with loadkit.scratch_run("selector-upload-load-") as (folder, url):
        committee = loadkit.prepare_committee(url, args.members)
        files = uploadkit.run_uploads(url, committee.selection_id)
        with loadkit.serving(url, folder, workers=args.workers, threads=args.threads) as server:
            uploads = uploadkit.UploadLog()
            uploaders = uploadkit.start_uploaders(
                server.port, "facilitator@example.org", committee.selection_id, files,
                args.seconds, uploads, count=args.uploaders)
            log, members, until = loadkit.run_committee(
                server.port, committee, args.seconds, think=(1.0, 3.0), arrival=15)
            began = time.monotonic()
            loadkit.join(members + uploaders, until + 120)
            seconds = time.monotonic() - began
        print(loadkit.latency_table(log, seconds))
        for kind, counts in uploads.statuses.items():
            print(f"upload {kind:<12} {dict(sorted(counts.items()))}, slowest "
                  f"{max(uploads.seconds[kind]):.1f} s")
        failed = False
        errors = {**log.server_errors(), **uploads.server_errors()}
        print(f"5xx answers: {errors or 'none'}")
        failed |= bool(errors) or bool(log.failures) or bool(uploads.failures)
        slowest = max(log.latencies.get("save") or [0.0])
        print(f"slowest save {slowest * 1000:.0f} ms: "
              f"{'within' if slowest < MAX_SAVE else 'OVER'} the limit of 1 s")
        failed |= slowest >= MAX_SAVE
        check = loadkit.check_saves(url, log)
        print(f"{check.acknowledged} acknowledged answers, {check.stored} stored"
              + ("" if not check.problems else f"; PROBLEMS: {check.problems[:5]}"))
        failed |= bool(check.problems)
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
