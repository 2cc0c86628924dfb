"""Outage pages, in Chinese and English, and their slots on the intake and order pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from workorders.outages.models import OutageEvent, OutageLink

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "停电事件"), ("en", "Outage events")])
def test_the_list_counts_complaints_per_outage(page_client_for, build, outage, language, title):
    order = build.order("assignment", address="幸福路1号", content="停电")
    OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=True)
    response = page_client_for("dispatcher", language=language).get("/outages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    assert 'data-testid="linked-total">1<' in html
    assert 'data-testid="suggested-total">0<' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_outage_page_shows_related_orders_to_confirm(page_client_for, build, outage, language):
    order = build.order("assignment", address="幸福路1号", content="停电")
    response = page_client_for("dispatcher", language=language).get(f"/outages/{outage.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="related-order"' in html and order.tracking_no in html
    assert 'data-testid="bulk-assign"' not in html  # nothing linked yet


def test_confirm_then_bulk_assign_in_the_page(page_client_for, build, depts, outage):
    # given
    client = page_client_for("dispatcher", language="en")
    orders = [build.order("assignment", address=f"幸福路{i}号", content="停电") for i in range(2)]
    ids = [str(o.pk) for o in orders]
    # when
    client.post(f"/outages/{outage.pk}/link/", {"orders": ids})
    page = client.get(f"/outages/{outage.pk}/").content.decode()
    assert page.count('data-testid="linked-order"') == 2 and 'data-testid="bulk-assign"' in page
    body = {"orders": ids, "department": depts["BJ-CD"].pk, "token": "t-1"}
    first = client.post(f"/outages/{outage.pk}/bulk/assign/", body)
    second = client.post(f"/outages/{outage.pk}/bulk/assign/", body)
    # then
    assert first.content.decode().count('data-testid="bulk-ok"') == 2
    assert second.content.decode().count('data-testid="bulk-ok"') == 2  # the first result, again
    for order in orders:
        order.refresh_from_db()
        assert order.status == "processing" and order.department == depts["BJ-CD"]
        assert order.events.filter(action="assign").count() == 1


def test_a_handler_sees_no_bulk_assign_and_no_related_orders(page_client_for, build, outage):
    mine = build.order("processing", address="幸福路1号", content="停电")
    OutageLink.objects.create(outage=outage, order=mine, linked_at=timezone.now(), confirmed=True)
    html = page_client_for("handler2", language="en").get(f"/outages/{outage.pk}/").content.decode()
    assert 'data-testid="bulk-reply"' in html
    assert 'data-testid="bulk-assign"' not in html and 'data-testid="related-form"' not in html
    other = page_client_for("handler", language="en").get(f"/outages/{outage.pk}/").content.decode()
    assert mine.tracking_no not in other


def test_only_dispatchers_enter_outages_in_the_page(page_client_for):
    assert page_client_for("handler2").get("/outages/new/").status_code == 404
    client = page_client_for("dispatcher", language="en")
    assert client.get("/outages/new/").status_code == 200
    start = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        "/outages/new/", {"area": "光明街", "started_at": start.strftime("%Y-%m-%dT%H:%M"), "cause": "台风"}
    )
    outage = OutageEvent.objects.get(area="光明街")
    assert response.status_code == 302 and response["Location"] == f"/outages/{outage.pk}/"


def test_the_intake_suggestion_panel(page_client_for, outage):
    client = page_client_for("agent", language="en")
    hit = client.get("/outages/suggest/", {"address": "城东区幸福路3号", "content": ""}).content.decode()
    miss = client.get("/outages/suggest/", {"address": "城西区和平路1号", "content": ""}).content.decode()
    assert 'data-testid="outage-suggestions"' in hit and "10kV" in hit
    assert 'data-testid="no-outage-suggestions"' in miss
    intake = client.get("/intake/").content.decode()
    assert "/outages/suggest/" in intake


def test_the_order_page_box_suggests_then_shows_the_linked_outage(page_client_for, build, outage):
    order = build.order("assignment", address="幸福路1号", content="停电")
    client = page_client_for("dispatcher", language="en")
    assert f"/outages/order/{order.pk}/" in client.get(f"/orders/{order.pk}/").content.decode()
    box = client.get(f"/outages/order/{order.pk}/").content.decode()
    assert 'data-testid="suggested-outage"' in box
    client.post(f"/outages/{outage.pk}/link/", {"orders": [order.pk], "next": f"/orders/{order.pk}/"})
    box = client.get(f"/outages/order/{order.pk}/").content.decode()
    assert 'data-testid="linked-outage"' in box and 'data-testid="suggested-outage"' not in box


def test_a_handler_of_another_department_gets_no_order_box(page_client_for, build, outage):
    order = build.order("processing", address="幸福路1号", content="停电")
    assert page_client_for("handler").get(f"/outages/order/{order.pk}/").status_code == 404


def test_the_list_counts_suggestions_waiting_for_confirmation(page_client_for, build, outage):
    order = build.order("assignment", address="幸福路1号", content="停电")
    OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=False)
    html = page_client_for("dispatcher", language="en").get("/outages/").content.decode()
    assert 'data-testid="linked-total">0<' in html and 'data-testid="suggested-total">1<' in html


@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "本期停电事件"), ("en", "Outages in this range")]
)
def test_the_dashboard_counts_complaints_per_outage_in_the_users_scope(
    page_client_for, build, depts, outage, users, language, title
):
    """The dashboard's outage card: the complaints linked to each outage of the period (an outage of
    an earlier period is not listed), in total and still open."""
    mine = build.order("processing", address="幸福路1号", content="停电")
    closed = build.order("closed", address="光明街2号", content="停电")
    for order in (mine, closed):
        OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=True)
    old = OutageEvent.objects.create(
        area="旧区",
        unit=depts["BJ-CD"],
        started_at=timezone.now() - timedelta(days=90),
        created_by=users["dispatcher"],
    )
    html = page_client_for("manager", language=language).get("/dashboard/").content.decode()
    assert title in html
    card = html[html.index('data-testid="outages"') :]
    card = card[: card.index("</table>")]
    assert f"/outages/{outage.pk}/" in card and f"/outages/{old.pk}/" not in card
    assert '<td class="text-end">2</td><td class="text-end">1</td>' in card  # linked, still open


def test_the_dashboards_outage_card_lists_only_the_readers_outages(
    page_client_for, build, depts, outage, users
):
    """A supervisor of 城西 does not see 城东's outage (none of its complaints are theirs); an outage
    of their own unit is listed even before any complaint is linked."""
    from django.contrib.auth.models import Group

    from accounts.models import User

    cx = User.objects.create_user("cx_supervisor", password="demo12345", department=depts["BJ-CX"])
    cx.groups.set([Group.objects.get(name="supervisor")])
    own = OutageEvent.objects.create(
        area="西湖里", unit=depts["BJ-CX"], started_at=timezone.now(), created_by=users["dispatcher"]
    )
    client = page_client_for(cx, language="en")
    html = client.get("/dashboard/").content.decode()
    card = html[html.index('data-testid="outages"') :]
    card = card[: card.index("</table>")]
    assert f"/outages/{own.pk}/" in card and f"/outages/{outage.pk}/" not in card
