"""Each role's paths through the API from intake to closed, beyond the straight happy path."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.builders import category, intake_body, reply_body
from tests.workorders.factories import act, future, pdf_upload, snapshot
from workorders.models import Assignment, Attachment, ExtensionRequest, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_client_for):
    names = ("agent", "dispatcher", "handler", "handler2", "handler3", "supervisor", "manager")
    return {n: api_client_for(n) for n in names}


def intake(api, **overrides):
    response = api["agent"].post("/api/v1/complaints/", intake_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["workorder"]["id"]


def to_processing(api, depts, oid, dept="BJ-YJ"):
    act(api["dispatcher"], oid, "classify", category=category().pk, level="general")
    return act(api["dispatcher"], oid, "assign", department=depts[dept].pk)


def to_review(api, depts, oid, handler="handler2"):
    to_processing(api, depts, oid)
    act(api[handler], oid, "accept")
    act(api[handler], oid, "contact", method="phone", comment="已联系客户")
    return act(api[handler], oid, "reply", **reply_body(depts["BJ-YJ"]))


def to_callback(api, depts, oid):
    to_review(api, depts, oid)
    return act(api["supervisor"], oid, "approve", comment="同意")


def events(api, oid):
    response = api["supervisor"].get(f"/api/v1/workorders/{oid}/events/")
    assert response.status_code == 200
    return response.json()


def test_return_goes_back_to_assignment_with_its_reason_and_can_be_reassigned(api, depts, users):
    oid = intake(api)
    to_processing(api, depts, oid, dept="BJ-YX")
    act(api["handler"], oid, "accept")
    returned = act(api["handler"], oid, "return", reason="属于运检部职责，非营销问题")
    assert returned["status"] == "assignment"
    assert returned["department"] is None and returned["assignee"] is None and returned["return_count"] == 1

    event = events(api, oid)[-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "return",
        "processing",
        "assignment",
    )
    assert event["payload"]["reason"] == "属于运检部职责，非营销问题"
    assert event["payload"]["department"] == depts["BJ-YX"].pk and event["actor"]["id"] == users["handler"].pk
    row = Assignment.objects.get(order_id=oid, department=depts["BJ-YX"])
    assert row.returned_at is not None and row.return_reason == "属于运检部职责，非营销问题"

    again = act(api["dispatcher"], oid, "assign", department=depts["BJ-YJ"].pk, assignee=users["handler2"].pk)
    assert again["status"] == "processing" and again["department"]["id"] == depts["BJ-YJ"].pk
    act(api["handler2"], oid, "accept")
    act(api["handler2"], oid, "contact", method="visit")
    assert act(api["handler2"], oid, "reply", **reply_body(depts["BJ-YJ"]))["status"] == "review"
    act(api["supervisor"], oid, "approve", comment="同意")
    closed = act(api["agent"], oid, "callback", reached=True, satisfaction="basically_satisfied")
    assert closed["status"] == "closed" and closed["outcome"] == "resolved"
    assert list(
        Assignment.objects.filter(order_id=oid).values_list("department__code", flat=True).order_by("pk")
    ) == ["BJ-YX", "BJ-YJ"]


def test_returns_beyond_the_limit_flag_the_order_escalated(api, depts, settings):
    settings.RETURN_ESCALATE_AFTER = 1
    oid = intake(api)
    to_processing(api, depts, oid, dept="BJ-YX")
    assert act(api["handler"], oid, "return", reason="非本部门")["is_escalated"] is False
    act(api["dispatcher"], oid, "assign", department=depts["BJ-YX"].pk)
    second = act(api["handler"], oid, "return", reason="仍非本部门")
    assert second["return_count"] == 2 and second["is_escalated"] is True


def test_assign_to_a_handler_of_another_department_is_400(api, depts, users):
    oid = intake(api)
    act(api["dispatcher"], oid, "classify", category=category().pk, level="general")
    before = snapshot()
    data = act(
        api["dispatcher"],
        oid,
        "assign",
        expect=400,
        department=depts["BJ-YJ"].pk,
        assignee=users["handler"].pk,
    )
    assert "assignee" in data and data["code"] == "invalid"
    assert snapshot() == before


def test_reject_goes_back_to_processing_with_its_reason(api, depts, users):
    oid = intake(api)
    to_review(api, depts, oid)
    rejected = act(api["supervisor"], oid, "reject", reason="答复未说明整改时限")
    assert rejected["status"] == "processing" and rejected["reject_count"] == 1
    event = events(api, oid)[-1]
    assert (
        event["action"],
        event["from_status"],
        event["to_status"],
        event["payload"]["reason"],
        event["actor"]["id"],
    ) == ("reject", "review", "processing", "答复未说明整改时限", users["supervisor"].pk)
    # The handler keeps the order and replies again.
    assert (
        act(api["handler2"], oid, "reply", **reply_body(depts["BJ-YJ"], reply="已于5日内完成改造"))["status"]
        == "review"
    )
    act(api["supervisor"], oid, "approve", comment="同意")
    assert act(api["agent"], oid, "callback", reached=True, satisfaction="satisfied")["status"] == "closed"


def test_unsatisfied_callback_without_its_reason_is_refused(api, depts):
    # given an order waiting for its callback
    oid = intake(api)
    to_callback(api, depts, oid)
    before = snapshot()
    # when the agent records an unsatisfied customer without saying why (domain.md §8.3)
    body = {"reached": True, "satisfaction": "unsatisfied", "comment": "客户仍不满意"}
    refused = act(api["agent"], oid, "callback", expect=400, **body)
    # then it is refused, in plain words, and nothing changed
    assert refused["code"] == "invalid" and "dissatisfaction_reason" in refused
    assert snapshot() == before


@pytest.mark.parametrize("reason", ["process_not_done", "attitude"])
def test_unsatisfied_callback_reopens_to_processing_and_a_second_round_closes(reason, api, depts, users):
    oid = intake(api)
    to_callback(api, depts, oid)
    body = {"reached": True, "satisfaction": "unsatisfied", "comment": "客户仍不满意"}
    body["dissatisfaction_reason"] = reason
    reopened = act(api["agent"], oid, "callback", **body)
    assert reopened["status"] == "processing" and reopened["reopen_count"] == 1
    assert reopened["outcome"] == "" and reopened["closed_at"] is None and reopened["approved_at"] is None
    assert reopened["department"]["id"] == depts["BJ-YJ"].pk  # back with the same department
    event = events(api, oid)[-1]
    assert (event["action"], event["from_status"], event["to_status"]) == (
        "callback",
        "callback",
        "processing",
    )
    assert event["payload"]["satisfaction"] == "unsatisfied"
    assert event["payload"]["dissatisfaction_reason"] == reason

    act(api["handler2"], oid, "reply", **reply_body(depts["BJ-YJ"], measures="更换线路并复测电压"))
    act(api["supervisor"], oid, "approve", comment="同意")
    closed = act(api["agent"], oid, "callback", reached=True, satisfaction="satisfied", comment="满意")
    assert (
        closed["status"] == "closed"
        and closed["outcome"] == "resolved"
        and closed["satisfaction"] == "satisfied"
    )
    assert closed["dissatisfaction_reason"] == ""


def test_repeated_reopening_goes_to_a_supervisor_under_supervision(api, depts, settings):
    settings.REOPEN_SUPERVISION_AFTER = 1
    oid = intake(api)
    to_callback(api, depts, oid)
    unsatisfied = {
        "reached": True,
        "satisfaction": "unsatisfied",
        "dissatisfaction_reason": "process_not_done",
    }
    assert act(api["agent"], oid, "callback", **unsatisfied)["status"] == "processing"
    act(api["handler2"], oid, "reply", **reply_body(depts["BJ-YJ"]))
    act(api["supervisor"], oid, "approve", comment="同意")
    waiting = act(api["agent"], oid, "callback", **unsatisfied)
    assert waiting["status"] == "callback" and waiting["needs_supervisor_decision"] is True
    assert waiting["is_supervised"] is True


def test_policy_dispute_waits_for_the_supervisors_decision(api, depts, users):
    oid = intake(api)
    to_callback(api, depts, oid)
    waiting = act(
        api["agent"],
        oid,
        "callback",
        reached=True,
        satisfaction="unsatisfied",
        dissatisfaction_reason="result_not_accepted_policy",
        comment="不接受电价政策",
    )
    assert waiting["status"] == "callback" and waiting["needs_supervisor_decision"] is True
    assert (
        "decide_callback" in api["supervisor"].get(f"/api/v1/workorders/{oid}/").json()["available_actions"]
    )

    # While it waits, the agent cannot settle it with another callback.
    before = snapshot()
    refused = act(api["agent"], oid, "callback", expect=409, reached=True, satisfaction="satisfied")
    assert refused["code"] == "decision_pending" and refused["detail"]
    assert snapshot() == before

    closed = act(api["supervisor"], oid, "decide_callback", reopen=False, comment="已按政策解释，予以办结")
    # explained, not supported (解释说明): not counted as resolved
    assert closed["status"] == "closed" and closed["outcome"] == "explained"
    assert closed["needs_supervisor_decision"] is False
    event = events(api, oid)[-1]
    assert (event["action"], event["from_status"], event["to_status"], event["actor"]["id"]) == (
        "decide_callback",
        "callback",
        "closed",
        users["supervisor"].pk,
    )


def test_supervisor_may_decide_to_reopen_after_a_policy_dispute(api, depts):
    oid = intake(api)
    to_callback(api, depts, oid)
    act(
        api["agent"],
        oid,
        "callback",
        reached=True,
        satisfaction="unsatisfied",
        dissatisfaction_reason="result_not_accepted_policy",
    )
    reopened = act(api["supervisor"], oid, "decide_callback", reopen=True, comment="重新核查")
    assert reopened["status"] == "processing" and reopened["reopen_count"] == 1
    assert reopened["needs_supervisor_decision"] is False


def test_three_failed_callbacks_apart_close_as_unreachable(api, depts, settings):
    oid = intake(api)
    to_callback(api, depts, oid)
    gap = timedelta(minutes=settings.CALLBACK_MIN_INTERVAL_MINUTES)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = act(api["agent"], oid, "callback", reached=False, comment="无人接听")
    assert first["status"] == "callback" and first["callback_attempts"] == 1

    with time_machine.travel(start + gap - timedelta(minutes=1), tick=False):
        before = snapshot()
        too_soon = act(api["agent"], oid, "callback", expect=409, reached=False, comment="仍无人接听")
        assert too_soon["code"] == "callback_too_soon"
        assert snapshot() == before

    with time_machine.travel(start + gap, tick=False):
        assert act(api["agent"], oid, "callback", reached=False, comment="关机")["callback_attempts"] == 2
    with time_machine.travel(start + 2 * gap + timedelta(minutes=5), tick=False):
        closed = act(api["agent"], oid, "callback", reached=False, comment="空号")
    assert closed["status"] == "closed" and closed["callback_attempts"] == 3
    assert closed["outcome"] == "unreachable" and closed["satisfaction"] == "not_rated"
    attempts = [e["payload"].get("attempt") for e in events(api, oid) if e["action"] == "callback"]
    assert attempts == [1, 2, 3]


def test_reached_without_satisfaction_is_400(api, depts):
    oid = intake(api)
    to_callback(api, depts, oid)
    data = act(api["agent"], oid, "callback", expect=400, reached=True)
    assert "satisfaction" in data and data["code"] == "invalid"
    data = act(api["agent"], oid, "callback", expect=400, reached=True, satisfaction="not_rated")
    assert "satisfaction" in data


def test_dismiss_closes_as_not_established(api, users):
    oid = intake(api)
    closed = act(api["supervisor"], oid, "dismiss", reason="经核实系客户内部线路问题")
    assert closed["status"] == "closed" and closed["outcome"] == "not_established" and closed["closed_at"]
    event = events(api, oid)[-1]
    assert (
        event["payload"]["reason"] == "经核实系客户内部线路问题"
        and event["actor"]["id"] == users["supervisor"].pk
    )


def test_dismiss_needs_a_reason(api):
    oid = intake(api)
    before = snapshot()
    data = act(api["supervisor"], oid, "dismiss", expect=400)
    assert "reason" in data and data["code"] == "invalid"
    assert snapshot() == before


def test_merge_closes_the_duplicate_and_counts_as_an_urge_on_the_target(api, users):
    account = "3309876543"
    target = intake(api, account_no=account, phone="13911112222")
    dup = intake(api, account_no=account, phone="13911112222", content="同一问题再次来电")
    merged = act(api["dispatcher"], dup, "merge", into=target)
    assert merged["status"] == "closed" and merged["outcome"] == "merged" and merged["merged_into"] == target
    kept = WorkOrder.objects.get(pk=target)
    assert kept.urge_count == 1 and kept.status == "classification"
    event = kept.events.get(action="merged_from")
    assert (
        event.payload["from"] == dup
        and event.actor_id == users["dispatcher"].pk
        and event.version == kept.version
    )


def test_reopen_within_the_window_and_after_it(api, depts, settings, users):
    oid = intake(api)
    to_callback(api, depts, oid)
    act(api["agent"], oid, "callback", reached=True, satisfaction="satisfied")
    closed_at = WorkOrder.objects.get(pk=oid).closed_at
    with time_machine.travel(closed_at + timedelta(days=settings.REOPEN_WINDOW_DAYS - 1), tick=False):
        reopened = act(api["supervisor"], oid, "reopen", reason="客户反映低电压复发")
    assert reopened["status"] == "processing" and reopened["reopen_count"] == 1
    assert reopened["satisfaction"] == "" and reopened["outcome"] == ""
    assert reopened["department"]["id"] == depts["BJ-YJ"].pk

    late = intake(api)
    to_callback(api, depts, late)
    act(api["agent"], late, "callback", reached=True, satisfaction="satisfied")
    closed_at = WorkOrder.objects.get(pk=late).closed_at
    with time_machine.travel(closed_at + timedelta(days=settings.REOPEN_WINDOW_DAYS, hours=1), tick=False):
        before = snapshot()
        data = act(api["supervisor"], late, "reopen", expect=409, reason="太晚了")
        assert data["code"] == "reopen_window_passed"
        assert snapshot() == before


def test_urge_thresholds(api, depts, settings, users):
    assert (settings.URGE_FLAG_AT, settings.URGE_ESCALATE_AT) == (2, 3)
    oid = intake(api)
    to_processing(api, depts, oid)
    first = act(api["agent"], oid, "urge", comment="客户来电催促")
    assert first["urge_count"] == 1 and first["upgrade_tendency"] is False and first["level"] == "general"
    second = act(api["agent"], oid, "urge", comment="再次催促")
    assert second["urge_count"] == 2 and second["upgrade_tendency"] is True
    assert second["level"] == "general" and second["is_supervised"] is False
    third = act(api["agent"], oid, "urge", comment="第三次催促，情绪激动")
    assert third["urge_count"] == 3 and third["level"] == "important" and third["is_supervised"] is True
    fourth = act(api["agent"], oid, "urge")
    assert fourth["urge_count"] == 4 and fourth["level"] == "important"  # one level up, once
    payloads = [e["payload"] for e in events(api, oid) if e["action"] == "urge"]
    assert [p["count"] for p in payloads] == [1, 2, 3, 4]
    assert payloads[2]["level_from"] == "general" and payloads[2]["level_to"] == "important"


def test_escalate_raises_one_level_until_special(api, depts, users):
    oid = intake(api)
    to_processing(api, depts, oid)
    levels = [act(api["supervisor"], oid, "escalate", comment="社会影响大")["level"] for _ in range(3)]
    assert levels == ["important", "major", "special"]
    assert WorkOrder.objects.get(pk=oid).is_escalated
    before = snapshot()
    refused = act(api["supervisor"], oid, "escalate", expect=409, comment="再升")
    assert refused["code"] == "already_highest_level"
    # and an escalation needs its reason (design.md: comment, required)
    assert act(api["supervisor"], oid, "escalate", expect=400)["comment"]
    assert snapshot() == before


def test_extension_request_and_decision(api, depts, users):
    oid = intake(api)
    to_processing(api, depts, oid)
    act(api["handler2"], oid, "accept")
    due = timezone.now() + timedelta(days=3)
    requested = act(
        api["handler2"],
        oid,
        "request_extension",
        requested_due_at=due.isoformat(),
        reason="需计划停电施工",
        basis="停电计划单 2026-118",
    )
    assert requested["extended_until"] is None
    assert [r["state"] for r in requested["extension_requests"]] == ["pending"]

    # One pending request at a time.
    before = snapshot()
    data = act(
        api["handler2"],
        oid,
        "request_extension",
        expect=409,
        requested_due_at=future(100),
        reason="再延",
        basis="施工计划",
    )
    assert data["code"] == "extension_pending"
    assert snapshot() == before

    refused = act(api["supervisor"], oid, "decide_extension", approve=False, comment="理由不充分")
    assert refused["extended_until"] is None and refused["extension_hours"] == 0
    assert ExtensionRequest.objects.get(order_id=oid).state == "refused"

    act(
        api["handler2"],
        oid,
        "request_extension",
        requested_due_at=due.isoformat(),
        reason="补充停电计划",
        basis="停电计划单 2026-119",
    )
    approved = act(api["supervisor"], oid, "decide_extension", approve=True, comment="同意")
    order = WorkOrder.objects.get(pk=oid)
    assert order.extended_until == due and order.extension_hours >= 71
    assert approved["extended_until"] is not None
    states = list(
        ExtensionRequest.objects.filter(order_id=oid).order_by("pk").values_list("state", "decided_by")
    )
    assert states == [("refused", users["supervisor"].pk), ("approved", users["supervisor"].pk)]


def test_extension_to_a_past_time_is_400(api, depts):
    oid = intake(api)
    to_processing(api, depts, oid)
    act(api["handler2"], oid, "accept")
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    data = act(
        api["handler2"], oid, "request_extension", expect=400, requested_due_at=past, reason="x", basis="y"
    )
    assert "requested_due_at" in data


def test_an_extension_request_needs_its_reason_and_its_basis(api, depts):
    oid = intake(api)
    to_processing(api, depts, oid)
    act(api["handler2"], oid, "accept")
    due = (timezone.now() + timedelta(days=3)).isoformat()
    before = snapshot()
    data = act(api["handler2"], oid, "request_extension", expect=400, requested_due_at=due, reason="需施工")
    assert data["code"] == "invalid" and "basis" in data and snapshot() == before
    data = act(api["handler2"], oid, "request_extension", expect=400, requested_due_at=due, basis="施工计划")
    assert "reason" in data and snapshot() == before


def test_note_needs_text_and_is_recorded(api, depts, users):
    oid = intake(api)
    to_processing(api, depts, oid)
    assert "comment" in act(api["handler2"], oid, "note", expect=400)
    noted = act(api["handler2"], oid, "note", comment="客户要求下午联系")
    assert noted["status"] == "processing"
    event = events(api, oid)[-1]
    assert (event["action"], event["payload"]["comment"], event["actor"]["id"]) == (
        "note",
        "客户要求下午联系",
        users["handler2"].pk,
    )


def test_attach_multipart_upload(api, depts, users, media_tmp):
    oid = intake(api)
    to_processing(api, depts, oid)
    data = act(
        api["handler2"],
        oid,
        "attach",
        multipart=True,
        file=pdf_upload("整改报告.pdf", 1000),
        comment="整改报告",
    )
    assert [(a["original_name"], a["comment"]) for a in data["attachments"]] == [("整改报告.pdf", "整改报告")]
    att = Attachment.objects.get(order_id=oid)
    assert att.size == 1009 and att.uploaded_by_id == users["handler2"].pk
    with att.file.open("rb") as fh:
        assert fh.read().startswith(b"%PDF-1.4")
    assert events(api, oid)[-1]["payload"]["name"] == "整改报告.pdf"


def test_attach_refuses_wrong_type_and_oversize_with_a_clear_400(api, depts, settings, media_tmp):
    oid = intake(api)
    to_processing(api, depts, oid)
    before = snapshot()
    bad = SimpleUploadedFile("run.exe", b"MZ" + b"0" * 10, content_type="application/octet-stream")
    data = act(api["handler2"], oid, "attach", expect=400, multipart=True, file=bad)
    assert data["code"] == "invalid" and ".exe" in data["file"][0] and "pdf" in data["file"][0]

    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = pdf_upload("大文件.pdf", 2 * 1024 * 1024)
    data = act(api["handler2"], oid, "attach", expect=400, multipart=True, file=big)
    assert "文件过大" in data["file"][0] and "1 MB" in data["file"][0]  # the default language is Chinese
    assert snapshot() == before
    assert not media_tmp.exists() or not any(p.is_file() for p in media_tmp.rglob("*"))
