"""The seeded matrix and templates (used by the data migration 0002; admins edit the rows after)."""

# (event type, recipients, inapp, email, sms, urgent, mandatory, active)
DEFAULT_RULES = [
    ("assign", "holder", True, True, False, False, False, True),
    # Accept and contact: the dispatcher can be told, but by default nobody is (the order is moving).
    ("accept", "dispatchers", True, False, False, False, False, False),
    ("contact", "dispatchers", True, False, False, False, False, False),
    ("return", "dispatchers", True, True, False, False, False, True),
    ("reply", "supervisors", True, True, False, False, False, True),
    ("approve", "agents", True, False, False, False, False, True),
    ("reject", "assignee", True, True, False, False, False, True),
    ("callback_unsatisfied", "supervisors", True, True, False, False, False, True),
    ("callback_unsatisfied", "holder", True, False, False, False, False, True),
    ("reopen", "holder", True, True, False, False, False, True),
    ("request_extension", "supervisors", True, False, False, False, False, True),
    ("decide_extension", "assignee", True, False, False, False, False, True),
    ("urge", "holder", True, True, False, False, False, True),
    ("urge_threshold", "department_leaders", True, True, True, True, False, True),
    ("urge_threshold", "supervisors", True, True, False, True, False, True),
    ("escalate", "supervisors", True, True, False, False, False, True),
    ("escalate", "department_leaders", True, False, False, False, False, True),
    ("merged_from", "holder", True, False, False, False, False, True),
    # 短信快报: leaders of the responsible unit, by SMS, cannot be switched off.
    ("serious_complaint", "unit_leaders", True, False, True, True, True, True),
    ("deadline_warning", "holder", True, True, False, False, False, True),
    ("deadline_breached", "holder", True, True, True, True, False, True),
    ("deadline_breached", "supervisors", True, True, False, True, False, True),
    ("deadline_breached", "department_leaders", True, True, False, True, False, True),
    ("deadline_escalated", "escalation_leaders", True, True, True, True, False, True),
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
        "工单已派至{{ order.department }}{% if order.assignee %}（{{ order.assignee }}）{% endif %}，请及时签收并联系客户。",
        f"Order {_NO} assigned to you",
        "The order was assigned to {{ order.department }}{% if order.assignee %} ({{ order.assignee }}){% endif %}; accept it and contact the customer.",
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
        "回访结果：不满意{% if order.dissatisfaction_reason %}（{{ order.get_dissatisfaction_reason_display }}）{% endif %}。{{ payload.comment }}",
        f"Customer unsatisfied on {_NO}",
        "Callback: unsatisfied{% if order.dissatisfaction_reason %} ({{ order.get_dissatisfaction_reason_display }}){% endif %}. {{ payload.comment }}",
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
        "The urging threshold is reached (upgrade tendency); please supervise. Department: {{ order.department|default:'not assigned' }}.",
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
        + "{% if order.is_key_customer %}（重要客户）{% endif %}{% if order.is_sensitive or order.upgrade_tendency %}（敏感/有升级倾向）{% endif %}，请关注。",
        f"[Fast alert] {_NO}",
        "{{ order.unit }} received a {{ order.get_level_display }} complaint "
        + _NO
        + "{% if order.is_key_customer %} (key customer){% endif %}{% if order.is_sensitive or order.upgrade_tendency %} (sensitive){% endif %}.",
    ),
    "deadline_warning": (
        f"工单 {_NO} 即将超时",
        "{{ stage_label }}环节将于 {{ due_at|date:'Y-m-d H:i' }} 到期，请抓紧处理。",
        f"Order {_NO} nearly due",
        "The {{ stage_label }} stage is due at {{ due_at|date:'Y-m-d H:i' }}.",
    ),
    "deadline_breached": (
        f"工单 {_NO} 已超时",
        "{{ stage_label }}环节已于 {{ due_at|date:'Y-m-d H:i' }} 超时。处理部门：{{ order.department|default:'未派单' }}。",
        f"Order {_NO} overdue",
        "The {{ stage_label }} stage was due at {{ due_at|date:'Y-m-d H:i' }}. Department: {{ order.department|default:'not assigned' }}.",
    ),
    "deadline_escalated": (
        f"工单 {_NO} 超时升级（{{{{ payload.escalation_level }}}}级）",
        "{{ stage_label }}环节超时未办，已升级至您处督办。处理部门：{{ order.department|default:'未派单' }}。",
        f"Overdue order {_NO} escalated (level {{{{ payload.escalation_level }}}})",
        "The {{ stage_label }} stage is overdue and escalated to you. Department: {{ order.department|default:'not assigned' }}.",
    ),
}

# Short one-line SMS texts for the events that go out by SMS by default.
DEFAULT_SMS = {
    "serious_complaint": (
        "【投诉快报】{{ order.unit }}受理{{ order.get_level_display }}投诉"
        + _NO
        + "{% if order.is_key_customer %}，重要客户{% endif %}{% if order.is_sensitive or order.upgrade_tendency %}，敏感{% endif %}。诉求：{{ order.complaint.demand|truncatechars:40 }}",
        "[Fast alert] {{ order.unit }}: {{ order.get_level_display }} complaint "
        + _NO
        + "{% if order.is_key_customer %}, key customer{% endif %}{% if order.is_sensitive or order.upgrade_tendency %}, sensitive{% endif %}. Demand: {{ order.complaint.demand|truncatechars:40 }}",
    ),
    "urge_threshold": (
        "【催办】工单" + _NO + "已催办{{ payload.count }}次，请督办。",
        "[Urged] Order " + _NO + " urged {{ payload.count }} times; please supervise.",
    ),
    "deadline_breached": (
        "【超时】工单" + _NO + "{{ stage_label }}环节已超时，请立即处理。",
        "[Overdue] Order " + _NO + ": {{ stage_label }} stage overdue.",
    ),
    "deadline_escalated": (
        "【超时升级】工单" + _NO + "超时未办，已升级至您处督办。",
        "[Escalated] Overdue order " + _NO + " escalated to you.",
    ),
}


def seed(NotificationRule, NotificationTemplate):
    for event_type, recipients, inapp, email, sms, urgent, mandatory, active in DEFAULT_RULES:
        NotificationRule.objects.get_or_create(
            event_type=event_type,
            recipients=recipients,
            defaults=dict(
                inapp=inapp, email=email, sms=sms, urgent=urgent, mandatory=mandatory, is_active=active
            ),
        )
    for event_type, (zh_s, zh_b, en_s, en_b) in DEFAULT_TEMPLATES.items():
        for language, subject, body in (("zh-hans", zh_s, zh_b), ("en", en_s, en_b)):
            NotificationTemplate.objects.get_or_create(
                event_type=event_type,
                channel="inapp",
                language=language,
                defaults={"subject": subject, "body": body},
            )
    for event_type, (zh_b, en_b) in DEFAULT_SMS.items():
        for language, body in (("zh-hans", zh_b), ("en", en_b)):
            NotificationTemplate.objects.get_or_create(
                event_type=event_type,
                channel="sms",
                language=language,
                defaults={"subject": "", "body": body},
            )
