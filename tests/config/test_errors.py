"""One domain error, one table code → HTTP status, used by the API handler and by the pages."""

import pytest
from django.http import Http404
from django.urls import reverse

from config.api import DomainError as ReExported
from config.api import exception_handler
from config.errors import HTTP_STATUS_BY_CODE, DomainError, http_status, page_message, page_refusal
from tests.workorders.factories import act


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("not_found", 404),
        ("unknown_action", 404),
        ("permission_denied", 403),
        ("not_your_department", 403),
        ("invalid", 400),
        ("department_out_of_scope", 400),
        ("no_company", 400),
        ("idempotency_key_reused", 422),
        ("illegal_transition", 409),
        ("stale_version", 409),
        ("deadline_passed", 409),
        ("anything_else", 409),
    ],
)
def test_each_code_has_one_status(code, status):
    assert http_status(code) == status
    assert DomainError("x", code=code).http_status == status


def test_only_the_exceptions_to_409_are_listed():
    assert 409 not in HTTP_STATUS_BY_CODE.values()
    assert ReExported is DomainError


def test_the_api_handler_answers_with_the_tables_status_and_the_json_shape():
    exc = DomainError("Choose one.", code="invalid", fields={"assignee": ["Not a handler."]})
    response = exception_handler(exc, {})
    assert response.status_code == 400
    assert response.data == {"detail": "Choose one.", "code": "invalid", "assignee": ["Not a handler."]}
    response = exception_handler(DomainError("Gone.", code="not_found"), {})
    assert response.status_code == 404 and response.data == {"detail": "Gone.", "code": "not_found"}


def test_a_domain_error_carries_no_http_status_of_its_own():
    with pytest.raises(TypeError):
        DomainError("Gone.", code="not_found", status_code=409)


def test_invalid_input_keeps_the_serializer_shape():
    exc = DomainError.invalid({"reason": ["This field is required."], "comment": ["Too long."]})
    assert (exc.code, exc.http_status, exc.message) == ("invalid", 400, "This field is required.")
    assert exception_handler(exc, {}).data == {
        "detail": "This field is required.",
        "code": "invalid",
        "reason": ["This field is required."],
        "comment": ["Too long."],
    }


def test_pages_raise_404_for_not_found_and_show_the_rest():
    with pytest.raises(Http404):
        page_refusal(DomainError("Work order not found.", code="not_found"))
    assert page_refusal(DomainError("No.", code="permission_denied")) == ("No.", {})
    message, fields = page_message(DomainError.invalid({"reason": ["This field is required."]}))
    assert fields == {"reason": ["This field is required."]}
    assert message in ("Please correct the marked fields.", "请修改标出的字段。")


@pytest.mark.django_db
def test_perform_input_errors_reach_the_api_as_before(build, api_client_for):
    order = build.order("review")
    data = act(api_client_for("supervisor", language="en"), order.pk, "reject", expect=400)
    assert data == {  # the shape is unchanged; the words say what to fill in (issue 14)
        "detail": "Give the reason.",
        "code": "invalid",
        "reason": ["Give the reason."],
    }


@pytest.mark.django_db
def test_perform_input_errors_reach_the_page_as_before(build, page_client_for):
    order = build.order("review")
    client = page_client_for("supervisor", language="en")
    response = client.post(reverse("workorders:act", args=[order.pk, "reject"]), {"version": order.version})
    assert response.status_code == 400
    assert "Please correct the marked fields." in response.content.decode()
