"""The default matrix and templates, and ``sync_defaults`` that creates the missing ones.

``sync_defaults`` runs after every ``migrate`` (post_migrate, see apps.py) and as
``manage.py sync_notifications``. It only creates rows whose key is missing (a rule's event type and
recipients; a template's event type, channel and language): a row an administrator edited is never
touched. A default that was deleted comes back at the next sync; switch a rule off instead.
"""

from typing import NamedTuple

from django.db import router

from .channels.email import EMAIL
from .channels.inbox import INBOX
from .channels.sms import SMS


class DefaultRule(NamedTuple):
    event_type: str
    recipients: str
    channels: tuple[str, ...]
    urgent: bool = False
    mandatory: bool = False
    active: bool = True


DEFAULT_RULES = [
    DefaultRule("assign", "holder", (INBOX, EMAIL)),
    # Accept and contact: the dispatcher can be told, but by default nobody is (the order is moving).
    DefaultRule("accept", "dispatchers", (INBOX,), active=False),
    DefaultRule("contact", "dispatchers", (INBOX,), active=False),
    DefaultRule("return", "dispatchers", (INBOX, EMAIL)),
    # A reply waiting for review and an order waiting for its callback are in the supervisors' and
    # the agents' queues (审核, 回访), their worklists: a notice per order would fill the inbox with
    # hundreds of items that say what the queue already shows (issue 14). Off by default; an
    # administrator can switch them on.
    DefaultRule("reply", "supervisors", (INBOX, EMAIL), active=False),
    DefaultRule("approve", "agents", (INBOX,), active=False),
    DefaultRule("reject", "assignee", (INBOX, EMAIL)),
    DefaultRule("callback_unsatisfied", "supervisors", (INBOX, EMAIL)),
    DefaultRule("callback_unsatisfied", "holder", (INBOX,)),
    DefaultRule("reopen", "holder", (INBOX, EMAIL)),
    DefaultRule("request_extension", "supervisors", (INBOX,)),
    DefaultRule("decide_extension", "assignee", (INBOX,)),
    DefaultRule("urge", "holder", (INBOX, EMAIL)),
    DefaultRule("urge_threshold", "department_leaders", (INBOX, EMAIL, SMS), urgent=True),
    DefaultRule("urge_threshold", "supervisors", (INBOX, EMAIL), urgent=True),
    # 内部催办: the department's handlers, by mail too, and its leaders in the inbox.
    DefaultRule("internal_urge", "holder", (INBOX, EMAIL), urgent=True),
    DefaultRule("internal_urge", "department_leaders", (INBOX,)),
    DefaultRule("escalate", "supervisors", (INBOX, EMAIL)),
    DefaultRule("escalate", "department_leaders", (INBOX,)),
    DefaultRule("merged_from", "holder", (INBOX,)),
    # 短信快报: leaders of the responsible unit, by SMS, cannot be switched off.
    DefaultRule("serious_complaint", "unit_leaders", (INBOX, SMS), urgent=True, mandatory=True),
    DefaultRule("deadline_warning", "holder", (INBOX, EMAIL)),
    DefaultRule("deadline_breached", "holder", (INBOX, EMAIL, SMS), urgent=True),
    DefaultRule("deadline_breached", "supervisors", (INBOX, EMAIL), urgent=True),
    DefaultRule("deadline_breached", "department_leaders", (INBOX, EMAIL), urgent=True),
    # Outside office hours (nights, weekends, holidays) the person on duty hears of a breach at once.
    DefaultRule("deadline_breached", "duty", (INBOX, SMS), urgent=True),
    # A 重要 order is reported to the unit's leaders on dispatch (domain.md §5.1).
    DefaultRule("important_assigned", "unit_leaders", (INBOX, EMAIL)),
    DefaultRule("deadline_escalated", "escalation_leaders", (INBOX, EMAIL, SMS), urgent=True),
    # Centre operations (issue 16): a 督办 reaches the holder and the department's leaders at once;
    # its answer the supervisors. 协办 parts go to the assisting departments, their answers to the
    # lead; a transfer to the new department; a suspension request to the supervisors who decide it.
    DefaultRule("supervise", "holder", (INBOX, EMAIL), urgent=True),
    DefaultRule("supervise", "department_leaders", (INBOX,), urgent=True),
    DefaultRule("answer_supervision", "supervisors", (INBOX,)),
    DefaultRule("assist_requested", "assisting", (INBOX, EMAIL)),
    DefaultRule("assist", "holder", (INBOX,)),
    DefaultRule("transfer", "holder", (INBOX, EMAIL)),
    DefaultRule("suspend", "supervisors", (INBOX,)),
    DefaultRule("decide_suspend", "holder", (INBOX,)),
    DefaultRule("terminate", "department_leaders", (INBOX,)),
]

_NO = "{{ order.tracking_no }}"

# event type → (zh subject, zh body, en subject, en body) for the in-app channel (email and
# robots fall back to it).
DEFAULT_TEMPLATES = {
    "create": (
        f"新投诉 {_NO}",
        "{{ order.unit }}受理新投诉工单 " + _NO + "（{{ order.get_level_display }}）。",
        f"New complaint {_NO}",
        "{{ order.unit }} received complaint " + _NO + " ({{ order.get_level_display }}).",
    ),
    "submit": (
        f"工单 {_NO} 待分类",
        "工单已提交，请分类定级。",
        f"Order {_NO} awaits classification",
        "The order was submitted; please classify it.",
    ),
    "classify": (
        f"工单 {_NO} 已分类",
        "级别：{{ order.get_level_display }}；类别：{{ order.category }}。",
        f"Order {_NO} classified",
        "Level: {{ order.get_level_display }}; category: {{ order.category }}.",
    ),
    "dismiss": (
        f"工单 {_NO} 不成立",
        "原因：{{ payload.reason }}",
        f"Order {_NO} dismissed",
        "Reason: {{ payload.reason }}",
    ),
    "merge": (
        f"工单 {_NO} 已合并",
        "已合并至 {{ payload.into_tracking_no }}。",
        f"Order {_NO} merged",
        "Merged into {{ payload.into_tracking_no }}.",
    ),
    "merged_from": (
        f"工单 {_NO} 收到重复投诉",
        "重复工单 {{ payload.from_tracking_no }} 已合并到本工单，视为催办。",
        f"Duplicate merged into {_NO}",
        "Order {{ payload.from_tracking_no }} was merged into this one as an urge.",
    ),
    "assign": (
        f"新派工单 {_NO}",
        (
            "工单已派至{{ order.department }}{% if order.assignee %}（{{ order.assignee }}）{% endif %}"
            "，请及时签收并联系客户。"
        ),
        f"Order {_NO} assigned to you",
        (
            "The order was assigned to {{ order.department }}{% if order.assignee %}"
            " ({{ order.assignee }}){% endif %}; accept it and contact the customer."
        ),
    ),
    "accept": (
        f"工单 {_NO} 已签收",
        "{{ actor }}已签收（{{ order.department }}）。",
        f"Order {_NO} accepted",
        "{{ actor }} accepted it ({{ order.department }}).",
    ),
    "contact": (
        f"工单 {_NO} 已联系客户",
        "{{ actor }}已首次联系客户。",
        f"Customer contacted on {_NO}",
        "{{ actor }} contacted the customer.",
    ),
    "return": (
        f"工单 {_NO} 被退单",
        "{{ payload.department_name }}退单，原因：{{ payload.reason }}。请重新派单。",
        f"Order {_NO} returned",
        "{{ payload.department_name }} returned it: {{ payload.reason }}. Please route it again.",
    ),
    "reply": (
        f"工单 {_NO} 待审核",
        "{{ order.department }}已提交处理结果，请审核。",
        f"Order {_NO} awaits review",
        "{{ order.department }} submitted its reply; please review it.",
    ),
    "approve": (
        f"工单 {_NO} 待回访",
        "处理结果已审核通过，请回访客户。",
        f"Order {_NO} ready for callback",
        "The reply was approved; please call the customer back.",
    ),
    "reject": (
        f"工单 {_NO} 处理结果被驳回",
        "驳回原因：{{ payload.reason }}。请重新处理。",
        f"Reply on {_NO} rejected",
        "Reason: {{ payload.reason }}. Please handle it again.",
    ),
    "callback": (
        f"工单 {_NO} 已回访",
        "回访结果：{{ order.get_satisfaction_display|default:'未联系上' }}。",
        f"Callback on {_NO}",
        "Result: {{ order.get_satisfaction_display|default:'not reached' }}.",
    ),
    "callback_unsatisfied": (
        f"工单 {_NO} 客户不满意",
        (
            "回访结果：不满意{% if order.dissatisfaction_reason %}"
            "（{{ order.get_dissatisfaction_reason_display }}）{% endif %}。{{ payload.comment }}"
        ),
        f"Customer unsatisfied on {_NO}",
        (
            "Callback: unsatisfied{% if order.dissatisfaction_reason %}"
            " ({{ order.get_dissatisfaction_reason_display }}){% endif %}. {{ payload.comment }}"
        ),
    ),
    "decide_callback": (
        f"工单 {_NO} 回访后决定",
        "{% if payload.reopen %}重新处理{% else %}办结{% endif %}。{{ payload.comment }}",
        f"Decision on {_NO}",
        "{% if payload.reopen %}Handle again{% else %}Closed{% endif %}. {{ payload.comment }}",
    ),
    "reopen": (
        f"工单 {_NO} 已重新打开",
        "原因：{{ payload.reason }}",
        f"Order {_NO} reopened",
        "Reason: {{ payload.reason }}",
    ),
    "request_extension": (
        f"工单 {_NO} 申请延期",
        "申请延至 {{ payload.requested_due_at }}，原因：{{ payload.reason }}",
        f"Extension requested on {_NO}",
        "Until {{ payload.requested_due_at }}: {{ payload.reason }}",
    ),
    "decide_extension": (
        "工单 " + _NO + " 延期申请{% if payload.approved %}已批准{% else %}未批准{% endif %}",
        "{{ payload.comment }}",
        "Extension on " + _NO + " {% if payload.approved %}approved{% else %}refused{% endif %}",
        "{{ payload.comment }}",
    ),
    "urge": (
        f"工单 {_NO} 客户催办（第{{{{ payload.count }}}}次）",
        "请尽快处理。{{ payload.comment }}",
        f"Customer urged {_NO} (#{{{{ payload.count }}}})",
        "Please deal with it soon. {{ payload.comment }}",
    ),
    "urge_threshold": (
        f"工单 {_NO} 已催办{{{{ payload.count }}}}次",
        "已达催办阈值，有升级倾向，请督办。处理部门：{{ order.department|default:'未派单' }}。",
        f"Order {_NO} urged {{{{ payload.count }}}} times",
        (
            "The urging threshold is reached (upgrade tendency); please supervise. "
            "Department: {{ order.department|default:'not assigned' }}."
        ),
    ),
    "escalate": (
        f"工单 {_NO} 已升级",
        "当前级别：{{ order.get_level_display }}。{{ payload.comment }}",
        f"Order {_NO} escalated",
        "Level now: {{ order.get_level_display }}. {{ payload.comment }}",
    ),
    "note": (
        f"工单 {_NO} 新备注",
        "{{ actor }}：{{ payload.comment }}",
        f"Note on {_NO}",
        "{{ actor }}: {{ payload.comment }}",
    ),
    "attach": (
        f"工单 {_NO} 新附件",
        "{{ actor }}上传了 {{ payload.name }}。",
        f"File attached to {_NO}",
        "{{ actor }} attached {{ payload.name }}.",
    ),
    "serious_complaint": (
        f"【投诉快报】{_NO}",
        "{{ order.unit }}受理{{ order.get_level_display }}投诉 "
        + _NO
        + (
            "{% if order.is_key_customer %}（重要客户）{% endif %}"
            "{% if order.is_sensitive or order.upgrade_tendency %}（敏感/有升级倾向）{% endif %}"
            "，请关注。"
        ),
        f"[Fast alert] {_NO}",
        "{{ order.unit }} received a {{ order.get_level_display }} complaint "
        + _NO
        + (
            "{% if order.is_key_customer %} (key customer){% endif %}"
            "{% if order.is_sensitive or order.upgrade_tendency %} (sensitive){% endif %}."
        ),
    ),
    "important_assigned": (
        f"【重要投诉】{_NO} 已派单",
        (
            "{{ order.unit }}重要投诉 " + _NO + " 已派至{{ order.department }}，请关注。"
            "诉求：{{ order.complaint.demand|truncatechars:60 }}"
        ),
        f"[Important] {_NO} dispatched",
        (
            "{{ order.unit }}: important complaint " + _NO + " was dispatched to {{ order.department }}. "
            "Demand: {{ order.complaint.demand|truncatechars:60 }}"
        ),
    ),
    "internal_urge": (
        f"【催办】工单 {_NO}",
        "中心第{{ payload.count }}次催办，请{{ order.department|default:'' }}加快办理：{{ payload.comment }}",
        f"[Urged by the centre] Order {_NO}",
        "The centre urged this order ({{ payload.count }} times so far); please hurry: {{ payload.comment }}",
    ),
    "supervise": (
        f"【督办】工单 {_NO}",
        "{{ order.department|default:'' }}请按督办要求办理并按时反馈：{{ payload.requirements }}",
        f"[Supervision] Order {_NO}",
        "Act on these requirements and answer in time: {{ payload.requirements }}",
    ),
    "answer_supervision": (
        f"工单 {_NO} 督办已反馈",
        "{{ actor }}：{{ payload.comment }}",
        f"Order {_NO}: supervision answered",
        "{{ actor }}: {{ payload.comment }}",
    ),
    "assist_requested": (
        f"【协办】工单 {_NO}",
        "请提交协办意见，主办部门：{{ order.department|default:'' }}。",
        f"[Assist] Order {_NO}",
        "Please submit your assisting part; lead department: {{ order.department|default:'' }}.",
    ),
    "assist": (
        f"工单 {_NO} 协办意见已提交",
        "{{ payload.department_name }}：{{ payload.opinion }}",
        f"Order {_NO}: assisting part submitted",
        "{{ payload.department_name }}: {{ payload.opinion }}",
    ),
    "transfer": (
        f"工单 {_NO} 已转办",
        "由{{ payload.from_department_name }}转至{{ payload.department_name }}，原因：{{ payload.reason }}",
        f"Order {_NO} transferred",
        "From {{ payload.from_department_name }} to {{ payload.department_name }}: {{ payload.reason }}",
    ),
    "suspend": (
        f"工单 {_NO} 申请挂起",
        "{{ actor }}申请挂起，原因：{{ payload.reason }}",
        f"Order {_NO}: suspension requested",
        "{{ actor }} asks to suspend it: {{ payload.reason }}",
    ),
    "decide_suspend": (
        f"工单 {_NO} 挂起申请{{% if payload.approved %}}已同意{{% else %}}未同意{{% endif %}}",
        "{{ payload.comment }}",
        f"Order {_NO}: suspension {{% if payload.approved %}}approved{{% else %}}refused{{% endif %}}",
        "{{ payload.comment }}",
    ),
    "terminate": (
        f"工单 {_NO} 服务终止",
        "原因：{{ payload.reason }}",
        f"Order {_NO}: service terminated",
        "Reason: {{ payload.reason }}",
    ),
    "deadline_warning": (
        f"工单 {_NO} 即将超时",
        "{{ stage_label }}环节将于 {{ due_at|date:'Y-m-d H:i' }} 到期，请抓紧处理。",
        f"Order {_NO} nearly due",
        "Due at {{ due_at|date:'Y-m-d H:i' }}: {{ stage_label }}.",
    ),
    "deadline_breached": (
        f"工单 {_NO} 已超时",
        (
            "{{ stage_label }}环节已于 {{ due_at|date:'Y-m-d H:i' }} 超时。"
            "处理部门：{{ order.department|default:'未派单' }}。"
        ),
        f"Order {_NO} overdue",
        (
            "Overdue since {{ due_at|date:'Y-m-d H:i' }}: {{ stage_label }}. "
            "Department: {{ order.department|default:'not assigned' }}."
        ),
    ),
    "deadline_escalated": (
        f"工单 {_NO} 超时升级（{{{{ payload.escalation_level }}}}级）",
        (
            "{{ stage_label }}环节超时未办，已升级至您处督办。"
            "处理部门：{{ order.department|default:'未派单' }}。"
        ),
        f"Overdue order {_NO} escalated (level {{{{ payload.escalation_level }}}})",
        (
            "Overdue and escalated to you: {{ stage_label }}. "
            "Department: {{ order.department|default:'not assigned' }}."
        ),
    ),
}

# Short one-line SMS texts for the events that go out by SMS by default.
DEFAULT_SMS = {
    "serious_complaint": (
        "【投诉快报】{{ order.unit }}受理{{ order.get_level_display }}投诉"
        + _NO
        + (
            "{% if order.is_key_customer %}，重要客户{% endif %}"
            "{% if order.is_sensitive or order.upgrade_tendency %}，敏感{% endif %}。"
            "诉求：{{ order.complaint.demand|truncatechars:40 }}"
        ),
        "[Fast alert] {{ order.unit }}: {{ order.get_level_display }} complaint "
        + _NO
        + (
            "{% if order.is_key_customer %}, key customer{% endif %}"
            "{% if order.is_sensitive or order.upgrade_tendency %}, sensitive{% endif %}. "
            "Demand: {{ order.complaint.demand|truncatechars:40 }}"
        ),
    ),
    "urge_threshold": (
        "【催办】工单" + _NO + "已催办{{ payload.count }}次，请督办。",
        "[Urged] Order " + _NO + " urged {{ payload.count }} times; please supervise.",
    ),
    "deadline_breached": (
        "【超时】工单" + _NO + "{{ stage_label }}环节已超时，请立即处理。",
        "[Overdue] Order " + _NO + ": {{ stage_label }} overdue.",
    ),
    "deadline_escalated": (
        "【超时升级】工单" + _NO + "超时未办，已升级至您处督办。",
        "[Escalated] Overdue order " + _NO + " escalated to you.",
    ),
}


# SMS to the customer (issue 15, ``notifications.customer``). Their context holds only what a
# customer may read: ``tracking_no``, ``track_url``, ``hotline``, ``survey_url`` (never the order,
# a staff name or the address), so an edited template cannot leak them either. The gateway adds
# the signature (【…】, SMS_GATEWAY_SIGN_NAME).
CUSTOMER_SMS = {
    "customer_ack": (
        "您的投诉已受理，工单号{{ tracking_no }}。查询进度请访问 {{ track_url }} "
        "（输入工单号和联系电话后四位），或拨打{{ hotline }}。",
        "Your complaint was received: tracking number {{ tracking_no }}. Check its progress at "
        "{{ track_url }} (tracking number and the last 4 digits of your phone) or call {{ hotline }}.",
    ),
    "customer_reply": (
        "您的投诉（工单号{{ tracking_no }}）已处理并答复，答复内容请访问 {{ track_url }} 查询，"
        "如有疑问请拨打{{ hotline }}。",
        "Your complaint {{ tracking_no }} was handled and answered; read the reply at {{ track_url }} "
        "or call {{ hotline }}.",
    ),
    "customer_survey": (
        "您的投诉（工单号{{ tracking_no }}）已处理并答复，答复内容请访问 {{ track_url }} 查询。"
        "请对本次服务评价（限一次）：{{ survey_url }}",
        "Your complaint {{ tracking_no }} was handled and answered; read the reply at {{ track_url }}. "
        "Please rate our service (once): {{ survey_url }}",
    ),
    "customer_closed": (
        "您的投诉（工单号{{ tracking_no }}）已办结，感谢您的理解与支持。如有疑问请拨打{{ hotline }}。",
        "Your complaint {{ tracking_no }} is closed. Thank you; if anything is unclear, call {{ hotline }}.",
    ),
}


def default_templates() -> list[tuple[str, str, str, str, str]]:
    """(event type, channel, language, subject, body) of every default template."""
    rows = []
    for event_type, (zh_s, zh_b, en_s, en_b) in DEFAULT_TEMPLATES.items():
        rows += [(event_type, INBOX, "zh-hans", zh_s, zh_b), (event_type, INBOX, "en", en_s, en_b)]
    for event_type, (zh_b, en_b) in DEFAULT_SMS.items():
        rows += [(event_type, SMS, "zh-hans", "", zh_b), (event_type, SMS, "en", "", en_b)]
    for event_type, (zh_b, en_b) in CUSTOMER_SMS.items():
        rows += [(event_type, SMS, "zh-hans", "", zh_b), (event_type, SMS, "en", "", en_b)]
    return rows


def sync_defaults(NotificationRule, NotificationTemplate, *, using: str = "default") -> dict[str, int]:
    """Create the default rules and templates that are missing; return how many of each.

    Takes the model classes so that post_migrate can pass the migrated state's models.
    """
    if not router.allow_migrate_model(using, NotificationRule):
        return {"rules": 0, "templates": 0}
    rules = NotificationRule.objects.using(using)
    have = set(rules.values_list("event_type", "recipients"))
    new_rules = [
        NotificationRule(
            event_type=r.event_type,
            recipients=r.recipients,
            channels=list(r.channels),
            urgent=r.urgent,
            mandatory=r.mandatory,
            is_active=r.active,
        )
        for r in DEFAULT_RULES
        if (r.event_type, r.recipients) not in have
    ]
    templates = NotificationTemplate.objects.using(using)
    have = set(templates.values_list("event_type", "channel", "language"))
    new_templates = [
        NotificationTemplate(
            event_type=event_type, channel=channel, language=language, subject=subject, body=body
        )
        for event_type, channel, language, subject, body in default_templates()
        if (event_type, channel, language) not in have
    ]
    # ignore_conflicts: a concurrent sync (two web containers migrating at once) is harmless.
    rules.bulk_create(new_rules, ignore_conflicts=True)
    templates.bulk_create(new_templates, ignore_conflicts=True)
    return {"rules": len(new_rules), "templates": len(new_templates)}
