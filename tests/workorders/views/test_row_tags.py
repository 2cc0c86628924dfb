"""The list rows' template tags (workorders/templatetags/order_badges.py): ``clip`` cuts like
Django's ``truncatechars`` and escapes like any value; the badges show the status, the late stages
or the sticky overdue flag, and each risk flag, escaped."""

import pytest
from django.template import Context, Template
from django.template.defaultfilters import truncatechars
from django.utils import translation

from workorders.models import Status, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text", ["", "短", "客户反映电压偏低已有三天", "exactly10!", "abcdefghijklmnopqrstuvwxyz", None]
)
@pytest.mark.parametrize("length", [1, 3, 4, 10, 14])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_clip_cuts_like_truncatechars(text, length, language):
    context = Context({"text": text, "n": length})
    with translation.override(language):  # the mark is the language's: "…", "..." in Chinese
        rendered = Template("{% load order_badges %}{{ text|clip:n }}").render(context)
        expected = Template("{{ text|default_if_none:''|truncatechars:n }}").render(context)
        direct = str(truncatechars(text or "", length))
    assert rendered == expected == direct


def test_clip_escapes():
    out = Template("{% load order_badges %}{{ text|clip:40 }}").render(Context({"text": "<b>电压</b>"}))
    assert out == "&lt;b&gt;电压&lt;/b&gt;"


def render(order):
    template = Template("{% load order_badges %}{% status_badge order %}|{% order_flags order %}")
    with translation.override("en"):
        return template.render(Context({"order": order}))


def test_badges_show_the_status_late_stages_and_flags():
    order = WorkOrder(status=Status.PROCESSING, is_overdue=True, is_repeat=True, is_sensitive=True)
    status, flags = render(order).split("|")
    assert status == '<span class="badge status-badge status-processing">Processing</span>'
    # without late_badges loaded: the sticky overdue flag; then each set flag in order
    assert flags.index(">Overdue<") < flags.index(">Repeat<") < flags.index(">Sensitive<")
    assert "Escalated" not in flags and "Key customer" not in flags
    # with late_badges: those, escaped, instead of the sticky flag
    order.late_badges = [
        {
            "css": "text-bg-danger",
            "title": 'due "now"',
            "kind": "overdue",
            "stage": "reply",
            "label": "答复<超期>",
        }
    ]
    _status, flags = render(order).split("|")
    assert ">Overdue<" not in flags
    assert (
        'title="due &quot;now&quot;" data-late="overdue" data-late-stage="reply">答复&lt;超期&gt;</span>'
        in flags
    )
