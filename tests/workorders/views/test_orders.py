"""Lists, queues and the order detail with its action forms (Django test client)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from workorders.models import WorkOrder

from .conftest import found_overdue

pytestmark = pytest.mark.django_db


def detail(client, order, **kw):
    return client.get(reverse("workorders:detail", args=[order.pk]), **kw)


def post_action(client, order, code, htmx=True, **data):
    version = data.pop("version", None) or WorkOrder.objects.get(pk=order.pk).version
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "order-detail"} if htmx else {}
    return client.post(
        reverse("workorders:act", args=[order.pk, code]), {"version": version, **data}, **headers
    )


@pytest.mark.parametrize(
    "language, words", [("zh-hans", ["工单", "待分类"]), ("en", ["Work orders", "To classify"])]
)
@pytest.mark.parametrize(
    "username", ["agent", "dispatcher", "handler", "handler2", "supervisor", "manager", "admin"]
)
def test_list_and_search_pages_render_for_every_role(page_client_for, order, username, language, words):
    client = page_client_for(username, language)
    for url in (reverse("workorders:list"), reverse("complaints:search") + "?q=电压", reverse("home")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert (
            "<title>" in response.content.decode()
            and 'class="breadcrumb' in response.content.decode()
            or url == reverse("home")
        )
    if username == "dispatcher":
        body = client.get(reverse("workorders:list")).content.decode()
        assert all(word in body for word in words)


def test_navigation_shows_each_role_its_queues_with_counts(page_client_for, order):
    body = page_client_for("dispatcher").get(reverse("home")).content.decode()
    assert 'data-queue="classify">待分类 <span class="badge rounded-pill text-bg-danger">1</span>' in body
    assert 'data-queue="assign"' in body and 'data-queue="review"' not in body
    supervisor = page_client_for("supervisor").get(reverse("home")).content.decode()
    assert 'data-queue="review"' in supervisor and 'data-queue="extensions"' in supervisor
    handler = page_client_for("handler").get(reverse("home")).content.decode()
    assert all(f'data-queue="{q}"' in handler for q in ("new", "in_progress", "near_deadline", "overdue"))
    agent = page_client_for("agent").get(reverse("home")).content.decode()
    assert 'data-queue="callback"' in agent and 'data-queue="drafts"' in agent


def test_queue_lists_only_its_orders(page_client_for, build, processing):
    waiting = build.register(phone="13900000001", account_no="3300000001")
    client = page_client_for("dispatcher")
    body = client.get(reverse("workorders:list"), {"queue": "classify"}).content.decode()
    assert waiting.tracking_no in body and processing.tracking_no not in body
    handler = page_client_for("handler2").get(reverse("workorders:list"), {"queue": "new"}).content.decode()
    assert processing.tracking_no in handler and waiting.tracking_no not in handler
    empty = (
        page_client_for("handler2").get(reverse("workorders:list"), {"queue": "in_progress"}).content.decode()
    )
    assert 'data-testid="empty"' in empty


def test_handlers_see_only_their_departments_orders(page_client_for, processing, build):
    other = build.register(phone="13900000002", account_no="3300000002")
    body = page_client_for("handler2").get(reverse("workorders:list")).content.decode()
    assert processing.tracking_no in body and other.tracking_no not in body
    assert (
        page_client_for("handler").get(reverse("workorders:list")).content.decode().count("data-order=") == 0
    )


def test_list_filters_and_keyset_pages(page_client_for, build):
    orders = [build.register(phone=f"139000{i:05d}", account_no=f"33000{i:05d}") for i in range(30)]
    client = page_client_for("dispatcher")
    first = client.get(reverse("workorders:list"))
    body = first.content.decode()
    assert body.count("data-order=") == 25
    assert orders[-1].tracking_no in body and orders[0].tracking_no not in body
    next_url = first.context["next_query"]
    second = client.get(reverse("workorders:list") + "?" + next_url).content.decode()
    assert second.count("data-order=") == 5 and orders[0].tracking_no in second
    assert orders[-1].tracking_no not in second and 'data-testid="next-page"' not in second
    oldest = client.get(reverse("workorders:list"), {"sort": "received_at"}).content.decode()
    assert oldest.index(orders[0].tracking_no) < oldest.index(orders[1].tracking_no)
    only = client.get(reverse("workorders:list"), {"search": orders[3].tracking_no}).content.decode()
    assert only.count("data-order=") == 1
    none = client.get(reverse("workorders:list"), {"level": "special"}).content.decode()
    assert 'data-testid="empty"' in none


def test_list_without_count_over_the_table(page_client_for, build, settings):
    settings.QUEUE_COUNT_SECONDS = 0  # count the badges on every page (not kept from the first)
    build.register()
    client = page_client_for("dispatcher")
    client.get(reverse("workorders:list"))  # warm caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("workorders:list"))
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and 'FROM "workorders_workorder"' in q["sql"]
    ]
    # Only the navigation's queue counts, each on one status.
    assert counts and all('"status"' in sql for sql in counts)
    assert not any("OFFSET" in q["sql"].upper() for q in ctx.captured_queries)


def test_overdue_rows_are_highlighted(page_client_for, processing):
    # the first contact fell due an hour ago and the sweep found it
    found_overdue(processing, "contact", ago=timedelta(hours=1))
    body = page_client_for("handler2").get(reverse("workorders:list"), {"queue": "overdue"}).content.decode()
    assert 'class="row-overdue"' in body and "已超期 1小时0分" in body


def said(body, code, order):
    """Whether the page's flash is what the action's message builder says of the order now."""
    from django.utils import translation

    from workorders.lifecycle import done_message

    with translation.override("zh-hans"):
        expected = done_message(code, WorkOrder.objects.get(pk=order.pk))
    return f'data-testid="flash">{expected}<' in body


def test_detail_shows_fields_timeline_and_only_available_actions(page_client_for, order):
    body = detail(page_client_for("dispatcher"), order).content.decode()
    assert order.tracking_no in body and "家里电压长期偏低" in body and "13912345678" in body
    assert 'data-event="create"' in body and 'data-event="submit"' in body
    assert 'data-action="classify"' in body and 'data-action="merge"' in body
    assert 'data-action="assign"' not in body and 'data-action="approve"' not in body
    # the dispatch clock runs from intake (the deadline engine opens it at creation)
    assert 'data-testid="deadlines"' in body and 'data-deadline-state="' in body
    assert "hx-confirm=" in body  # merge is destructive
    agent = detail(page_client_for("agent"), order).content.decode()
    # the agent took this order down a moment ago: urging their own new order is not offered
    assert 'data-action="urge"' not in agent and 'data-action="classify"' not in agent
    assert 'data-action="note"' in agent


def test_detail_outside_scope_is_404(page_client_for, processing):
    assert detail(page_client_for("handler"), processing).status_code == 404
    assert detail(page_client_for("handler2"), processing).status_code == 200
    assert (
        page_client_for("handler")
        .post(reverse("workorders:act", args=[processing.pk, "note"]), {"version": 1, "comment": "x"})
        .status_code
        == 404
    )


def test_handler_sees_the_phone_masked_once_the_order_left_the_department(page_client_for, processing, build):
    assert (
        'data-testid="phone">13912345678<' in detail(page_client_for("handler2"), processing).content.decode()
    )
    build.do(processing, "accept", "handler2")
    build.do(processing, "return", "handler2", reason="不属于本部门")
    body = detail(page_client_for("handler2"), processing).content.decode()
    assert 'data-testid="phone">139****5678<' in body
    assert 'data-testid="no-actions"' in body or 'data-action="accept"' not in body


def test_action_through_htmx_answers_the_refreshed_detail(page_client_for, processing):
    client = page_client_for("handler2")
    response = post_action(client, processing, "accept")
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="order-detail"')
    assert said(body, "accept", processing) and "<html" not in body
    assert WorkOrder.objects.get(pk=processing.pk).assignee.username == "handler2"


def test_action_without_htmx_redirects(page_client_for, processing):
    response = post_action(page_client_for("handler2"), processing, "accept", htmx=False)
    assert response.status_code == 302 and response["Location"] == reverse(
        "workorders:detail", args=[processing.pk]
    )


def test_domain_refusal_is_shown_and_nothing_changes(page_client_for, processing):
    client = page_client_for("handler2")
    post_action(client, processing, "accept")
    response = post_action(
        client,
        processing,
        "reply",
        cause="原因",
        truthfulness="true",
        measures="措施",
        reply="答复",
        responsible_department=processing.department_id,
    )
    body = response.content.decode()
    assert "答复前请先登记与客户的首次联系" in body
    assert "原因</textarea>" in body  # what was typed is kept
    assert WorkOrder.objects.get(pk=processing.pk).status == "processing"


def test_field_errors_are_shown_beside_the_fields(page_client_for, processing):
    response = post_action(page_client_for("handler2"), processing, "return")
    body = response.content.decode()
    assert ' open data-action="return"' in body and "invalid-feedback" in body


def test_stale_version_shows_a_message_and_the_fresh_order(page_client_for, processing, build):
    stale = WorkOrder.objects.get(pk=processing.pk).version
    build.do(processing, "note", "dispatcher", comment="派单员备注")
    response = post_action(page_client_for("handler2"), processing, "accept", version=stale)
    body = response.content.decode()
    fresh = WorkOrder.objects.get(pk=processing.pk)
    assert "已被他人修改" in body and f'data-version="{fresh.version}"' in body and "派单员备注" in body
    assert fresh.accepted_at is None


def test_attachment_upload_with_limits(page_client_for, processing, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = page_client_for("handler2")
    ok = post_action(
        client,
        processing,
        "attach",
        file=SimpleUploadedFile("现场照片.jpg", b"\xff\xd8jpeg"),
        comment="表箱照片",
    )
    assert "现场照片.jpg" in ok.content.decode() and processing.attachments.count() == 1
    bad = post_action(client, processing, "attach", file=SimpleUploadedFile("run.exe", b"MZ"))
    assert "不接受 .exe 类型的文件" in bad.content.decode() and processing.attachments.count() == 1
    settings.ATTACHMENT_MAX_BYTES = 10
    big = post_action(client, processing, "attach", file=SimpleUploadedFile("big.pdf", b"x" * 100))
    assert "文件过大" in big.content.decode() and processing.attachments.count() == 1


def test_notes_are_listed(page_client_for, order):
    body = post_action(page_client_for("agent"), order, "note", comment="客户下午再次来电").content.decode()
    assert 'data-testid="notes"' in body and "客户下午再次来电" in body


def test_customer_page(page_client_for, order):
    url = reverse("complaints:customer", args=[order.customer_id])
    body = page_client_for("agent").get(url).content.decode()
    assert "张先生" in body and "3301234567" in body and order.tracking_no in body
    assert page_client_for("handler").get(url).status_code == 404


@pytest.mark.parametrize("query", ["tracking", "13912345678", "3301234567", "空调"])
def test_global_search(page_client_for, order, build, query):
    build.register(phone="13800000009", account_no="3300000009", content="路灯不亮")
    q = order.tracking_no if query == "tracking" else query
    response = page_client_for("dispatcher").get(reverse("complaints:search"), {"q": q})
    if query == "tracking":  # a full tracking number opens the order (issue 14)
        assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
        return
    body = response.content.decode()
    assert order.tracking_no in body and "路灯不亮" not in body


def test_search_stays_in_scope_and_has_an_empty_state(page_client_for, order):
    body = (
        page_client_for("handler")
        .get(reverse("complaints:search"), {"q": order.tracking_no})
        .content.decode()
    )
    assert f'href="/orders/{order.pk}/"' not in body and 'data-testid="empty"' in body


def test_merge_offers_the_customers_open_orders(page_client_for, build):
    first = build.register()
    second = build.register(content="还是电压低")
    body = detail(page_client_for("dispatcher"), second).content.decode()
    assert f'<option value="{first.pk}">{first.tracking_no}' in body
    response = post_action(page_client_for("dispatcher"), second, "merge", into=first.pk)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == "closed" and second.merged_into == first and first.urge_count == 1
    assert said(response.content.decode(), "merge", second)


def test_deadlines_render_in_local_time_with_time_left_and_state(page_client_for, order, monkeypatch):
    from workorders.serializers import WorkOrderSerializer

    # given two rows as the deadline engine reports them (deadlines.reads.deadline_entry)
    rows = [
        {
            "stage": "reply",
            "stage_display": "处理答复",
            "due_at": "2026-11-25T10:00:00+08:00",
            "seconds_left": 7200,
            "state": "warning",
        },
        {
            "stage": "overall",
            "stage_display": "整体办结",
            "due_at": "2026-11-20T02:00:00Z",
            "seconds_left": -90000,
            "state": "breached",
        },
    ]
    monkeypatch.setattr(WorkOrderSerializer, "get_deadlines", lambda self, o: rows)
    # when the order page renders them
    body = detail(page_client_for("dispatcher"), order).content.decode()
    # then in local time (Asia/Shanghai), with the time left or overdue and the state's style
    assert "处理答复" in body and "2026-11-25 10:00" in body and "剩余 2小时0分" in body
    assert "整体办结" in body and "2026-11-20 10:00" in body and "已超期 1天1小时" in body
    assert 'data-deadline-state="near"' in body and 'data-deadline-state="overdue"' in body


def test_home_offers_intake_only_to_agents(page_client_for):
    assert (
        'class="btn btn-primary mt-3" href="/intake/"'
        in page_client_for("agent").get(reverse("home")).content.decode()
    )
    assert 'href="/intake/"' not in page_client_for("admin").get(reverse("home")).content.decode()


def test_list_filters_answer_only_the_table_to_htmx(page_client_for, build):
    wanted = build.register()
    other = build.register(phone="13900000003", account_no="3300000003", content="路灯不亮")
    response = page_client_for("dispatcher").get(
        reverse("workorders:list"), {"search": "路灯"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="order-table"
    )
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="order-table"' in body
    assert other.tracking_no in body and wanted.tracking_no not in body
