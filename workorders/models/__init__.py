"""The models of the ``workorders`` app, one module per concern; every name is re-exported here so
that ``workorders.models.X`` (migrations, settings, other apps) keeps working.

- ``orders``: the work order, its events (append-only), assignments, extension requests, attachments
  and the choice enums of the lifecycle;
- ``deadlines``: SLA policies, channel limits, the work calendar, frozen SLAs and deadline rows;
- ``stats``: the aggregate tables, reports, report subscriptions and export jobs.

Models import nothing from the rest of the app (only each other and the apps below: accounts,
complaints).
"""

from .deadlines import (
    CENTRE_STAGES,
    POLICY_STAGES,
    CalendarData,
    ChannelLimit,
    Deadline,
    LimitUnit,
    OrderSla,
    SlaPolicy,
    Stage,
    WorkCalendarDay,
    WorkCalendarYear,
    WorkingPeriod,
)
from .orders import (
    CALLBACK_SATISFACTION_CHOICES,
    LEVEL_RANK,
    OPEN_STATUSES,
    PLATFORM_CHANNELS,
    UNHANDLED_OUTCOMES,
    Assignment,
    AssistRequest,
    Attachment,
    ContactMethod,
    DissatisfactionReason,
    ExtensionRequest,
    Level,
    Outcome,
    Satisfaction,
    Status,
    Truthfulness,
    WorkOrder,
    WorkOrderEvent,
    at_least,
    attachment_path,
    level_up,
)
from .stats import (
    DAILY_MEASURES,
    HANDLING_BUCKET_EDGES,
    HANDLING_BUCKETS,
    STAT_STAGES,
    ExportJob,
    ExportState,
    Report,
    ReportSubscription,
    StatsCategoryDaily,
    StatsDaily,
    StatsOpen,
    StatsOrderFacts,
    StatsUnitDaily,
)

__all__ = [
    "CALLBACK_SATISFACTION_CHOICES",
    "DAILY_MEASURES",
    "HANDLING_BUCKETS",
    "HANDLING_BUCKET_EDGES",
    "LEVEL_RANK",
    "OPEN_STATUSES",
    "CENTRE_STAGES",
    "POLICY_STAGES",
    "STAT_STAGES",
    "PLATFORM_CHANNELS",
    "UNHANDLED_OUTCOMES",
    "Assignment",
    "AssistRequest",
    "Attachment",
    "CalendarData",
    "ChannelLimit",
    "ContactMethod",
    "Deadline",
    "DissatisfactionReason",
    "ExportJob",
    "ExportState",
    "ExtensionRequest",
    "Level",
    "LimitUnit",
    "OrderSla",
    "Outcome",
    "Report",
    "ReportSubscription",
    "Satisfaction",
    "SlaPolicy",
    "Stage",
    "StatsDaily",
    "StatsOpen",
    "StatsOrderFacts",
    "StatsCategoryDaily",
    "StatsUnitDaily",
    "Status",
    "Truthfulness",
    "WorkCalendarDay",
    "WorkCalendarYear",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkingPeriod",
    "at_least",
    "attachment_path",
    "level_up",
]

# Outage events (issue 16, item 6) live in their own package; imported here so they belong to the app.
from ..outages.models import OutageBulkRun, OutageEvent, OutageLink, OutageSource  # noqa: E402, F401

# Quality inspection (issue 16, item 5) lives in its own package; imported here so it belongs to the app.
from ..quality.models import (  # noqa: E402, F401
    Inspection,
    InspectionAppeal,
    InspectionLog,
    InspectionRound,
)
