"""Server time of GET /orders/<id>/ in this process (the test client), for a typical order as each
role: the order waiting for that role. Wall and CPU milliseconds and the query count.

    VAR_DIR=/tmp/demo/var .venv/bin/python scripts/detail_time.py          # a seeded SQLite demo
    DATABASE_URL=postgres://... .venv/bin/python scripts/detail_time.py    # a seeded PostgreSQL demo

CPU time is this process's only (not the database's); wall time grows with the machine's load.
"""

import os
import statistics
import sys
import time
from pathlib import Path

# (role, the status whose orders wait for that role)
CASES = [
    ("agent", "callback"),
    ("dispatcher", "assignment"),
    ("handler2", "processing"),
    ("supervisor", "review"),
    ("manager", "processing"),
]


def main(runs: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from workorders.selectors import workorders_visible_to

    settings.ALLOWED_HOSTS = ["*"]
    for who, status in CASES:
        user = User.objects.get(username=who)
        pk = workorders_visible_to(user).filter(status=status).order_by("pk").values_list("pk", flat=True)[0]
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
        client.force_login(user)
        path = f"/orders/{pk}/"
        assert client.get(path).status_code == 200  # the first request fills per-process caches
        wall, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(
            f"{connection.vendor:10} {who:10} {path:14} wall median {statistics.median(wall):6.1f} ms"
            f" (min {min(wall):6.1f})  cpu median {statistics.median(cpu):5.1f} ms"
            f"  queries {len(queries.captured_queries)}"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
