"""Celery queues per kind of work: deliveries, the deadline sweep, reports/exports; one worker without
-Q consumes them all, a larger deployment runs workers per queue."""

from config.celery import app


def routed(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_each_kind_of_work_has_its_queue():
    import notifications.tasks  # noqa: F401 - registers the tasks
    import workorders.deadlines.tasks  # noqa: F401
    import workorders.stats.tasks  # noqa: F401

    assert routed("notifications.deliver") == routed("notifications.requeue") == "deliveries"
    assert (
        routed("workorders.sweep_deadlines")
        == routed("workorders.raise_level_after_breaches")
        == routed("workorders.raise_levels_after_breaches")
        == "deadlines"
    )
    assert routed("workorders.stats.export") == routed("workorders.stats.generate_report") == "reports"
    assert routed("workorders.stats.rebuild") == "reports"
    assert routed("config.ping") == "celery"


def test_a_worker_without_q_consumes_every_queue_each_on_its_own_key():
    queues = app.amqp.queues
    assert set(queues) >= {"celery", "deliveries", "deadlines", "reports"}
    # one routing key per queue: a message for one queue never lands in another
    keys = {name: queues[name].routing_key for name in ("celery", "deliveries", "deadlines", "reports")}
    assert len(set(keys.values())) == 4, keys
