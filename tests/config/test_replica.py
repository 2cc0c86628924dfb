"""The read replica router: only the views that opt in read from the replica; writes, migrations
and every other page stay on the primary."""

import pytest

from config import routers
from config.routers import ReplicaRouter, reading_replica, replica_reads


def test_reads_go_to_the_replica_only_inside_an_opted_in_block(monkeypatch):
    router = ReplicaRouter()
    monkeypatch.setattr(routers, "replica_configured", lambda: True)
    assert router.db_for_read(None) is None
    with reading_replica():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None
    assert router.allow_migrate("replica", "workorders") is False
    assert router.allow_migrate("default", "workorders") is True


def test_without_a_replica_everything_reads_the_primary(monkeypatch):
    monkeypatch.setattr(routers, "replica_configured", lambda: False)
    with reading_replica():
        assert ReplicaRouter().db_for_read(None) is None

    @replica_reads
    def view():
        return ReplicaRouter().db_for_read(None)

    assert view() is None


@pytest.mark.django_db
def test_the_dashboard_and_pivot_opt_in_and_the_order_pages_do_not(
    page_client_for, api_client_for, monkeypatch
):
    seen = []
    original = ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        seen.append(routers._reading_replica.get())
        return original(self, model, **hints)

    monkeypatch.setattr(ReplicaRouter, "db_for_read", spy)
    client = page_client_for("manager")
    for path, expected in (
        ("/dashboard/", True),
        ("/dashboard/pivot/", True),
        ("/api/v1/stats/summary/", True),
        ("/orders/", False),
    ):
        seen.clear()
        response = (api_client_for("manager") if path.startswith("/api/") else client).get(path)
        assert response.status_code == 200, path
        assert seen and any(seen) is expected, (path, seen)
