"""A scheduled report made by a real Celery worker and e-mailed to a local SMTP server
(PostgreSQL + Redis)."""

import datetime as dt
import email
import email.header
import socket
import threading

import pytest
from django.conf import settings
from django.db import connection

from tests.workers import celery_worker, wait_for
from workorders.models import Report, ReportSubscription

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL and Redis (the worker shares the test database)",
    ),
]


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_daily_report_by_a_worker_is_mailed_to_subscribers(dataset, users, depts, tmp_path):
    from aiosmtpd.controller import Controller

    from workorders.stats.tasks import generate_scheduled_report

    ReportSubscription.objects.create(user=users["manager"], kind="daily")
    ReportSubscription.objects.create(user=users["supervisor"], kind="weekly")  # another kind: not mailed
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    db = connection.settings_dict
    credentials = f"{db['USER']}:{db['PASSWORD'] or ''}"
    env = {
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    d1, d2, d3 = dataset["days"]
    try:
        with celery_worker(env=env, log_path=tmp_path / "worker.log") as queue:
            result = generate_scheduled_report.apply_async(
                args=["daily", (d3 + dt.timedelta(days=1)).isoformat()], queue=queue
            )
            assert result.get(timeout=60), (tmp_path / "worker.log").read_text()
            assert wait_for(lambda: inbox.messages, timeout=30), (tmp_path / "worker.log").read_text()
    finally:
        smtp.stop()
    assert len(inbox.messages) == 1
    rcpts, message = inbox.messages[0]
    assert rcpts == ["manager@example.com"]
    report = Report.objects.get(kind="daily", department=depts["BJ"])
    assert (
        report.period_start == d3
        and report.emailed_at is not None
        # four orders came in on d3; the one dismissed as 不成立 is counted apart, not received
        and report.data["summary"]["received"] == 4 - 1
        and report.data["summary"]["dismissed"] == 1
    )
    assert report.title in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    attachments = [p for p in message.walk() if p.get_filename()]
    assert attachments and attachments[0].get_payload(decode=True)[:2] == b"PK"
