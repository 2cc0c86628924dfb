"""Writes: the transition hook that fills the outbox, delivery, retries, re-queueing, the inbox.

``on_workorder_event`` runs inside every work-order transition's transaction (it is registered in
``settings.WORKORDER_TRANSITION_HOOKS``): it writes the inbox notifications and the outbox rows
with the change, and asks Celery to deliver them only after commit. Publishing never makes the
transition fail or wait: broker errors are logged and the beat job (``deliveries_requeue``) picks
the rows up later. ``deliveries_run`` claims rows with a conditional UPDATE, so a task that runs
twice (or two workers that got the same ids) sends each delivery once.
"""

import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Department, User
from config.bulk import insert_rows
from workorders.models import WorkOrder, WorkOrderEvent

from .channels import recipient_channels, sender
from .channels.inbox import INBOX
from .channels.registry import Refused
from .channels.sms import SMS
from .channels.webhook import WEBHOOK
from .customer import customer_deliveries
from .events import EVENT_TYPES, SERIOUS_LEVELS, event_types_for, serious_dedupe_key, stages_label
from .models import (
    Delivery,
    DeliveryAttempt,
    Message,
    Notification,
    NotificationPreference,
    NotificationRule,
    NotificationSettings,
    WebhookSubscription,
)
from .rendering import personal, render
from .selectors import RecipientsMemo, deliveries_due

logger = logging.getLogger(__name__)


# --- the hook: outbox rows in the transition's transaction ----------------------------------------


def _order_data(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "tracking_no": order.tracking_no,
        "status": order.status,
        "level": order.level,
        "unit": order.unit_id,
        "department": order.department_id,
        "assignee": order.assignee_id,
        "category": order.category_id,
        "is_overdue": order.is_overdue,
        "urge_count": order.urge_count,
        "is_key_customer": order.is_key_customer,
        "is_sensitive": order.is_sensitive,
        "upgrade_tendency": order.upgrade_tendency,
        "version": order.version,
    }


def _event_data(event: WorkOrderEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_id,
        "payload": event.payload or {},
        "created_at": event.created_at,
    }


def quiet_until(prefs: NotificationSettings | None, now: datetime) -> datetime | None:
    """The end of the user's quiet hours if ``now`` falls inside them, else None."""
    if (
        prefs is None
        or prefs.quiet_start is None
        or prefs.quiet_end is None
        or prefs.quiet_start == prefs.quiet_end
    ):
        return None
    local = timezone.localtime(now)
    t, start, end = local.time(), prefs.quiet_start, prefs.quiet_end

    def at(day: int, moment: clock_time) -> datetime:
        return local.replace(hour=moment.hour, minute=moment.minute, second=0, microsecond=0) + timedelta(
            days=day
        )

    if start < end:
        return at(0, end) if start <= t < end else None
    if t >= start:
        return at(1, end)
    if t < end:
        return at(0, end)
    return None


@dataclass
class _Draft:
    """One message to write: an event seen as one notification event type, and who gets what."""

    event_type: str
    order: WorkOrder
    event: WorkOrderEvent
    dedupe: str | None
    plan: dict[int, dict]
    subscriptions: list[WebhookSubscription]


def _plan(
    rules: list[NotificationRule], order: WorkOrder, event: WorkOrderEvent, recipients: RecipientsMemo
) -> dict[int, dict]:
    """user pk → {"user", "channels", "mandatory", "urgent"} from the matching rules."""
    plan: dict[int, dict] = {}
    for rule in rules:
        for user in recipients(rule.recipients, order, event):
            if user.pk == event.actor_id and not rule.mandatory:
                continue  # nobody is told about what they just did themselves
            entry = plan.setdefault(
                user.pk, {"user": user, "channels": set(), "mandatory": set(), "urgent": False}
            )
            entry["channels"] |= set(rule.channels)
            if rule.mandatory:
                entry["mandatory"] |= set(rule.channels)
            entry["urgent"] = entry["urgent"] or rule.urgent
    return plan


def leader_sms_allowed(order: WorkOrder, event_type: str, payload: dict) -> bool:
    """Leaders get SMS only for what needs them now: the 快报, a 特殊 or 重大 order, and an overdue
    order escalated to level 2 or above. Everything else reaches them in the inbox and by email (a
    leader may still switch SMS on for an event type in their own preferences)."""
    if event_type == "serious_complaint" or order.level in SERIOUS_LEVELS:
        return True
    try:
        return int(payload.get("escalation_level") or 0) >= 2 and event_type == "deadline_escalated"
    except (TypeError, ValueError):
        return False


def _settle_channels(drafts: list[_Draft]) -> dict[int, NotificationSettings]:
    """Apply the SMS policy for leaders, then each recipient's preferences, to every draft (three
    queries for the whole batch); returns the recipients' settings."""
    users = {pk for draft in drafts for pk in draft.plan}
    if not users:
        return {}
    restricted = [d for d in drafts if not leader_sms_allowed(d.order, d.event_type, d.event.payload or {})]
    if restricted:
        through = Department.leaders.through.objects
        leaders = set(through.filter(user_id__in=users).values_list("user_id", flat=True))
        for draft in restricted:
            for user_pk in leaders & draft.plan.keys():
                entry = draft.plan[user_pk]
                if SMS not in entry["mandatory"]:
                    entry["channels"].discard(SMS)
    choices: dict[tuple[int, str], list] = {}
    types = {draft.event_type for draft in drafts}
    for pref in NotificationPreference.objects.filter(user__in=users, event_type__in=types):
        choices.setdefault((pref.user_id, pref.event_type), []).append(pref)
    for draft in drafts:
        for user_pk, entry in draft.plan.items():
            for pref in choices.get((user_pk, draft.event_type), ()):
                if pref.enabled:
                    entry["channels"].add(pref.channel)
                elif pref.channel not in entry["mandatory"]:
                    entry["channels"].discard(pref.channel)
    return {s.user_id: s for s in NotificationSettings.objects.filter(user__in=users)}


def _rows_for(
    draft: _Draft,
    message: Message,
    user_settings: dict[int, NotificationSettings],
    notifications: list[dict],
    deliveries: list[dict],
) -> None:
    """The inbox rows and outbox rows of one message, as plain rows for ``config.bulk.insert_rows``."""
    order, event, event_type = draft.order, draft.event, draft.event_type
    now = message.created_at
    payload = event.payload or {}
    context = {
        "order": order,
        "event": event,
        "payload": payload,
        "actor": event.actor,
        "event_type": event_type,
        "event_label": EVENT_TYPES.get(event_type, event_type),
        "site_url": settings.NOTIFY_SITE_URL,
    }
    if payload.get("due_at"):
        due = payload["due_at"]
        context["due_at"] = parse_datetime(due) if isinstance(due, str) else due
    outside = recipient_channels()  # email, SMS, … in registry order
    # One rendering per channel and language serves every recipient, unless the template names the
    # recipient (a sweep's breach reaches tens of people: rendering is most of its time).
    shared: dict[tuple[str, str], tuple[str, str]] = {}

    def text(channel: str, language: str, ctx: dict) -> tuple[str, str]:
        found = shared.get((channel, language))
        if found is None:
            found = render(event_type, channel, language, ctx)
            if not personal(event_type, channel, language):
                shared[(channel, language)] = found
        return found

    for entry in draft.plan.values():
        user, channels, urgent = entry["user"], entry["channels"], entry["urgent"]
        prefs = user_settings.get(user.pk)
        language = prefs.language if prefs else settings.NOTIFY_DEFAULT_LANGUAGE
        ctx = {**context, "recipient": user, "stage_label": stages_label(payload, language)}
        if INBOX in channels:
            title, body = text(INBOX, language, ctx)
            notifications.append(
                {
                    "user_id": user.pk,
                    "message_id": message.pk,
                    "event_type": event_type,
                    "order_id": order.pk,
                    "title": title,
                    "body": body,
                    "urgent": urgent,
                    "created_at": now,
                }
            )
        deferred = None if urgent else quiet_until(prefs, now)
        for spec in outside:
            if spec.code not in channels:
                continue
            address = spec.address(user)
            if address:
                subject, body = text(spec.code, language, ctx)
                deliveries.append(
                    {
                        "message_id": message.pk,
                        "channel": spec.code,
                        "user_id": user.pk,
                        "address": address,
                        "subject": subject,
                        "body": body,
                        "urgent": urgent,
                        "next_attempt_at": deferred or now,
                        "created_at": now,
                    }
                )
    for sub in draft.subscriptions:
        subject = body = ""
        if sub.kind != WebhookSubscription.Kind.GENERIC:
            language = settings.NOTIFY_DEFAULT_LANGUAGE
            subject, body = render(
                event_type, WEBHOOK, language, {**context, "stage_label": stages_label(payload, language)}
            )
        deliveries.append(
            {
                "message_id": message.pk,
                "channel": WEBHOOK,
                "subscription_id": sub.pk,
                "address": sub.url,
                "subject": subject,
                "body": body,
                "next_attempt_at": now,
                "created_at": now,
            }
        )


def notify_events(pairs: Sequence[tuple[WorkOrder, WorkOrderEvent]]) -> None:
    """Inbox rows and outbox rows for these events, delivery after commit.

    One pass for a whole batch (the sweep's): the rules and subscriptions are read once, each set of
    recipients once per ``recipients_key``, preferences and settings once, and the messages, inbox
    rows and deliveries are written with one INSERT each; the cost follows the events, with few
    queries per batch.
    """
    if not pairs:
        return
    # The matrix's rows for staff and subscriptions, and the customer's SMS (acknowledgement, reply
    # and closing notices, survey link: ``customer``), queued together after commit.
    due = _matrix_deliveries(pairs)
    due += [d.pk for d in customer_deliveries(pairs) if d.next_attempt_at <= d.created_at]
    if due:
        transaction.on_commit(lambda: enqueue_deliveries(due))


def _matrix_deliveries(pairs: Sequence[tuple[WorkOrder, WorkOrderEvent]]) -> list[int]:
    """The inbox rows and outbox rows the matrix (rules, subscriptions) asks for; returns the ids of
    the outbox rows due now (not deferred to the end of a recipient's quiet hours)."""
    typed = [(order, event, event_types_for(order, event)) for order, event in pairs]
    wanted = {event_type for _order, _event, types in typed for event_type in types}
    rules_by_type: dict[str, list] = {}
    for rule in NotificationRule.objects.filter(event_type__in=wanted, is_active=True):
        rules_by_type.setdefault(rule.event_type, []).append(rule)
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
    recipients = RecipientsMemo()
    drafts: list[_Draft] = []
    dedupes: set[str] = set()
    for order, event, types in typed:
        for event_type in types:
            rules = rules_by_type.get(event_type, [])
            subs = [sub for sub in subscriptions if sub.wants(event_type)]
            if not (rules or subs):
                continue
            dedupe = serious_dedupe_key(order) if event_type == "serious_complaint" else None
            if dedupe and (dedupe in dedupes or Message.objects.filter(dedupe_key=dedupe).exists()):
                continue
            if dedupe:
                dedupes.add(dedupe)
            plan = _plan(rules, order, event, recipients)
            drafts.append(_Draft(event_type, order, event, dedupe, plan, subs))
    if not drafts:
        return []
    user_settings = _settle_channels(drafts)
    messages = Message.objects.bulk_create(
        [
            Message(
                event_type=draft.event_type,
                order=draft.order,
                source_event=draft.event,
                dedupe_key=draft.dedupe,
                created_at=draft.event.created_at or timezone.now(),
                data={"order": _order_data(draft.order), "event": _event_data(draft.event)},
            )
            for draft in drafts
        ]
    )
    notifications: list[dict] = []
    deliveries: list[dict] = []
    for draft, message in zip(drafts, messages, strict=True):
        _rows_for(draft, message, user_settings, notifications, deliveries)
    insert_rows(Notification, notifications)
    ids = insert_rows(Delivery, deliveries)
    return [
        pk for pk, row in zip(ids, deliveries, strict=True) if row["next_attempt_at"] <= row["created_at"]
    ]


def on_workorder_event(*, order: WorkOrder, event: WorkOrderEvent) -> None:
    """Transition hook: inbox rows and outbox rows for this event, delivery after commit."""
    notify_events([(order, event)])


# A batch of events (the sweep's) is handled in one pass (lifecycle.events.write_events).
on_workorder_event.batch = notify_events


# --- publishing (never fails, never hangs for long) -------------------------------------------------

_broker_down_until = 0.0


def enqueue_deliveries(ids: Iterable[int], *, countdown: float | None = None) -> bool:
    """Ask a worker to deliver these rows. False (logged) when the broker cannot be reached: the
    rows stay pending and the beat job re-queues them. After a failure the broker is not tried
    again for ``NOTIFY_BROKER_RETRY_AFTER`` seconds, so a dead Redis costs one short timeout."""
    global _broker_down_until
    ids = list(ids)
    if not ids:
        return True
    if time.monotonic() < _broker_down_until:
        return False
    from .tasks import deliver  # noqa: PLC0415 - a real cycle: tasks imports this module

    options = {"retry": False, "ignore_result": True}
    if settings.NOTIFY_QUEUE:
        options["queue"] = settings.NOTIFY_QUEUE
    if countdown:
        options["countdown"] = countdown
    try:
        size = settings.NOTIFY_BATCH_SIZE
        for start in range(0, len(ids), size):
            deliver.apply_async(args=[ids[start : start + size]], **options)
    except Exception as exc:  # noqa: BLE001 - the broker is down: the beat job will re-queue
        _broker_down_until = time.monotonic() + settings.NOTIFY_BROKER_RETRY_AFTER
        logger.warning("Could not queue %d notification deliveries (%s); they stay pending", len(ids), exc)
        return False
    return True


def broker_reset() -> None:
    """Forget a remembered broker failure (tests, and the beat job when it runs)."""
    global _broker_down_until
    _broker_down_until = 0.0


# --- delivery --------------------------------------------------------------------------------------


def backoff_seconds(attempt: int) -> int:
    return min(
        settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), settings.NOTIFY_RETRY_MAX_SECONDS
    )


# The longest error text kept in the delivery log and on the row (a safety net: the senders
# already shorten what receivers answer, see WEBHOOK_RESPONSE_LOG_CHARS).
ERROR_MAX_CHARS = 4000


def deliveries_run(*, ids: Iterable[int]) -> dict[str, int]:
    """Claim and send the given deliveries; each is sent at most once per claim.

    The claim is one conditional UPDATE (pending and due → sending, with a fresh token): a second
    run, or a second worker with the same ids, claims nothing. Results are written back only for
    rows that still carry our token. A failure the sender marks ``Refused`` (retrying cannot fix it)
    makes the delivery dead at once; others are retried with backoff up to NOTIFY_MAX_ATTEMPTS.
    """
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = Delivery.objects.filter(
        pk__in=list(ids),
        state=Delivery.State.PENDING,
        next_attempt_at__lte=now,
    ).update(state=Delivery.State.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    counts = {"claimed": claimed, "sent": 0, "failed": 0, "dead": 0}
    if not claimed:
        return counts
    rows = list(
        Delivery.objects.filter(claim_token=token, state=Delivery.State.SENDING).select_related(
            "message", "subscription"
        )
    )
    results: dict[int, str] = {}
    started = time.monotonic()
    by_channel: dict[str, list] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    for channel, batch in by_channel.items():
        send = sender(channel)
        if send is None:
            results.update({row.pk: f"unknown channel {channel}" for row in batch})
            continue
        results.update(send(batch))
    elapsed = int((time.monotonic() - started) * 1000 / max(len(rows), 1))
    done = timezone.now()
    sent = [pk for pk, error in results.items() if not error]
    counts["sent"] = Delivery.objects.filter(
        pk__in=sent, claim_token=token, state=Delivery.State.SENDING
    ).update(
        state=Delivery.State.SENT,
        sent_at=done,
        last_error="",
        claim_token="",
    )
    log, retry_ids, soonest = [], [], None
    for row in rows:
        outcome = results.get(row.pk, "not attempted")
        error = outcome[:ERROR_MAX_CHARS]
        log.append(
            DeliveryAttempt(
                delivery=row,
                attempt=row.attempts,
                ok=not error,
                detail=error,
                duration_ms=elapsed,
                created_at=done,
            )
        )
        if not error:
            continue
        logger.warning(
            "Notification delivery %s (%s → %s) failed, attempt %d: %s",
            row.pk,
            row.channel,
            row.address,
            row.attempts,
            error,
        )
        if isinstance(outcome, Refused) or row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            Delivery.objects.filter(pk=row.pk, claim_token=token).update(
                state=Delivery.State.DEAD, last_error=error, claim_token=""
            )
            counts["dead"] += 1
        else:
            delay = backoff_seconds(row.attempts)
            Delivery.objects.filter(pk=row.pk, claim_token=token).update(
                state=Delivery.State.PENDING,
                last_error=error,
                claim_token="",
                next_attempt_at=done + timedelta(seconds=delay),
            )
            counts["failed"] += 1
            retry_ids.append(row.pk)
            soonest = delay if soonest is None else min(soonest, delay)
    DeliveryAttempt.objects.bulk_create(log)
    if retry_ids:
        enqueue_deliveries(retry_ids, countdown=soonest)
    return counts


def deliveries_requeue(*, now: datetime | None = None) -> dict[str, int | bool]:
    """Beat job: release stale claims and queue every pending delivery that is due.

    A row a worker claimed but never finished (the worker died) is released after
    ``NOTIFY_CLAIM_LEASE_SECONDS``. Fresh rows get ``NOTIFY_REQUEUE_GRACE_SECONDS`` for their
    after-commit task before the job queues them as well (a double queue is harmless: the claim
    sends once).
    """
    broker_reset()
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        state=Delivery.State.SENDING,
        claimed_at__lt=now - timedelta(seconds=settings.NOTIFY_CLAIM_LEASE_SECONDS),
    )
    stale_ids = list(stale.values_list("pk", flat=True)[: settings.NOTIFY_REQUEUE_LIMIT])
    released = stale.filter(pk__in=stale_ids).update(
        state=Delivery.State.PENDING, claim_token="", next_attempt_at=now
    )
    ids = deliveries_due(
        now=now - timedelta(seconds=settings.NOTIFY_REQUEUE_GRACE_SECONDS),
        limit=settings.NOTIFY_REQUEUE_LIMIT,
    )
    ids = list(dict.fromkeys(ids + stale_ids))
    queued = enqueue_deliveries(ids) if ids else True
    return {"released": released, "due": len(ids), "queued": bool(queued)}


@transaction.atomic
def deliveries_retry(*, ids: Iterable[int]) -> int:
    """Admin action: give dead (or waiting) deliveries a fresh round of attempts now."""
    now = timezone.now()
    pks = list(
        Delivery.objects.filter(
            pk__in=list(ids), state__in=[Delivery.State.DEAD, Delivery.State.PENDING]
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=pks).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=now, claim_token="", last_error=""
    )
    if pks:
        transaction.on_commit(lambda: enqueue_deliveries(pks))
    return len(pks)


# --- inbox -----------------------------------------------------------------------------------------


def notification_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when ``ids`` is None)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


class NotFound(Exception):
    """No such notification for this user."""


def notification_open(*, user: User, pk: int) -> int | None:
    """The user opens an inbox item: it and the user's other unread items about the same order
    (one group in the inbox) are marked read; returns the order's id (None: the item names none).
    Raises NotFound for another user's item or one that does not exist."""
    item = Notification.objects.filter(user=user, pk=pk).values("order_id").first()
    if item is None:
        raise NotFound(pk)
    order_id = item["order_id"]
    same = Q(pk=pk) if order_id is None else Q(pk=pk) | Q(order_id=order_id)
    Notification.objects.filter(same, user=user, read_at__isnull=True).update(read_at=timezone.now())
    return order_id


# --- preferences -----------------------------------------------------------------------------------


def preferences_get(*, user: User) -> dict[str, Any]:
    prefs = NotificationSettings.objects.filter(user=user).first()
    return {
        "quiet_start": prefs.quiet_start.strftime("%H:%M:%S") if prefs and prefs.quiet_start else None,
        "quiet_end": prefs.quiet_end.strftime("%H:%M:%S") if prefs and prefs.quiet_end else None,
        "language": prefs.language if prefs else settings.NOTIFY_DEFAULT_LANGUAGE,
        "preferences": [
            {"event_type": p.event_type, "channel": p.channel, "enabled": p.enabled}
            for p in NotificationPreference.objects.filter(user=user).order_by("event_type", "channel")
        ],
    }


@transaction.atomic
def preferences_set(
    *,
    user: User,
    quiet_start: clock_time | None = None,
    quiet_end: clock_time | None = None,
    language: str | None = None,
    preferences: Iterable[dict[str, Any]] | None = None,
) -> None:
    """Save quiet hours, language and channel choices. Turning off a mandatory channel (the SMS
    fast alert) is stored but has no effect: the matrix's mandatory rules win."""
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "language": language or settings.NOTIFY_DEFAULT_LANGUAGE,
        },
    )
    if preferences is not None:
        NotificationPreference.objects.filter(user=user).delete()
        NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(
                    user=user, event_type=p["event_type"], channel=p["channel"], enabled=p["enabled"]
                )
                for p in preferences
            ]
        )
