"""What the pages say after an action: what happened to the order, from its resulting state.

One builder per action (``DONE``), each given the order as ``perform`` left it, so the message says
where the order is now ("Callback recorded: the customer is unsatisfied; the order is back with
市场营销部 for handling again"), never a bare "done". ``tests/workorders/lifecycle`` checks that
every action of the table has one.
"""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ExtensionRequest, Satisfaction, Status, WorkOrder


def _dept(order: WorkOrder) -> str:
    return str(order.department) if order.department_id else _("dispatch")


def _submit(order: WorkOrder) -> str:
    return _("Submitted: the order waits for a dispatcher to classify it.")


def _classify(order: WorkOrder) -> str:
    level = order.get_level_display()
    return _("Classified as %(level)s: the order is ready to be assigned.") % {"level": level}


def _dismiss(order: WorkOrder) -> str:
    return _("Dismissed as not established: the order is closed.")


def _merge(order: WorkOrder) -> str:
    into = order.merged_into.tracking_no if order.merged_into_id else ""
    return _("Merged into %(no)s: this order is closed as a duplicate.") % {"no": into}


def _assign(order: WorkOrder) -> str:
    if order.assignee_id:
        return _("Assigned to %(dept)s (%(user)s): the order waits for them to accept it.") % {
            "dept": _dept(order),
            "user": order.assignee,
        }
    dept = _dept(order)
    return _("Assigned to %(dept)s: the order waits for a handler there to accept it.") % {"dept": dept}


def _accept(order: WorkOrder) -> str:
    return _("Accepted: contact the customer next.")


def _contact(order: WorkOrder) -> str:
    return _("Contact recorded: write the reply next.")


def _return(order: WorkOrder) -> str:
    return _("Returned to dispatch: a dispatcher will route the order again.")


def _reply(order: WorkOrder) -> str:
    return _("Reply submitted: the order waits for a supervisor's review.")


def _approve(order: WorkOrder) -> str:
    return _("Reply approved: the order waits for the callback to the customer.")


def _reject(order: WorkOrder) -> str:
    return _("Reply rejected: the order is back with %(dept)s to reply again.") % {"dept": _dept(order)}


def _callback(order: WorkOrder) -> str:
    if order.status == Status.CLOSED:
        if order.satisfaction == Satisfaction.NOT_RATED:
            return _("Callback attempt recorded: the customer could not be reached; the order is closed.")
        return _("Callback recorded: customer %(satisfaction)s; the order is closed.") % {
            "satisfaction": order.get_satisfaction_display(),
        }
    if order.status == Status.PROCESSING:
        return _(
            "Callback recorded: the customer is unsatisfied; "
            "the order is back with %(dept)s for handling again."
        ) % {"dept": _dept(order)}
    if order.needs_supervisor_decision:
        return _(
            "Callback recorded: the customer is unsatisfied; "
            "a supervisor decides whether to reopen the order."
        )
    return _("Callback attempt recorded: the customer was not reached; try again later.")


def _decide_callback(order: WorkOrder) -> str:
    if order.status == Status.PROCESSING:
        return _("Decided: the order is reopened and back with %(dept)s.") % {"dept": _dept(order)}
    return _("Decided: the order is closed as explained.")


def _reopen(order: WorkOrder) -> str:
    return _("Reopened: the order is back with %(dept)s for handling again.") % {"dept": _dept(order)}


def _request_extension(order: WorkOrder) -> str:
    return _("Extension requested: the reply deadline is held until a supervisor decides.")


def _decide_extension(order: WorkOrder) -> str:
    last = order.extension_requests.exclude(decided_at=None).order_by("-decided_at", "-pk").first()
    if last is not None and last.state == ExtensionRequest.State.APPROVED:
        return _("Extension approved: the reply is now due %(due)s.") % {"due": _local(last.requested_due_at)}
    return _("Extension refused: the reply deadline stays as it was.")


def _urge(order: WorkOrder) -> str:
    return _("Urged (%(count)d times so far): the handlers have been told.") % {"count": order.urge_count}


def _internal_urge(order: WorkOrder) -> str:
    return _("Urged by the centre (%(count)d times so far): %(dept)s has been told.") % {
        "count": order.internal_urge_count,
        "dept": _dept(order),
    }


def _escalate(order: WorkOrder) -> str:
    return _("Escalated: the order is now %(level)s.") % {"level": order.get_level_display()}


def _supervise(order: WorkOrder) -> str:
    row = order.deadlines.open().filter(stage="supervision").order_by("-created_at").first()
    due = _local(row.due_at) if row is not None else "—"
    return _("Supervision issued: %(dept)s must answer by %(due)s.") % {"dept": _dept(order), "due": due}


def _answer_supervision(order: WorkOrder) -> str:
    return _("Supervision answered: the supervisors have been told.")


def _assist(order: WorkOrder) -> str:
    left = order.assists.filter(state="pending").count()
    if left:
        return _("Assisting part submitted: %(n)d more to come before %(dept)s can reply.") % {
            "n": left,
            "dept": _dept(order),
        }
    return _("Assisting part submitted: every part is in, %(dept)s can reply.") % {"dept": _dept(order)}


def _waive_assist(order: WorkOrder) -> str:
    return _("Assisting part waived: %(dept)s no longer waits for it.") % {"dept": _dept(order)}


def _transfer(order: WorkOrder) -> str:
    return _("Transferred: the order is now with %(dept)s, who must accept it.") % {"dept": _dept(order)}


def _platform_reply(order: WorkOrder) -> str:
    return _("Reply to the platform recorded: its deadline is met.")


def _platform_evaluation(order: WorkOrder) -> str:
    return _("The platform's evaluation is recorded: %(evaluation)s.") % {
        "evaluation": order.get_platform_evaluation_display()
    }


def _suspend(order: WorkOrder) -> str:
    return _("Suspension requested: the clocks run on until a supervisor approves.")


def _decide_suspend(order: WorkOrder) -> str:
    if order.suspended_at is not None:
        return _("Suspension approved: every deadline of the order is stopped until it is resumed.")
    return _("Suspension refused: the order goes on with its deadlines as they were.")


def _resume(order: WorkOrder) -> str:
    return _("Resumed: the deadlines run again, moved by the time the order was suspended.")


def _terminate(order: WorkOrder) -> str:
    return _("Service terminated: the order is closed with that outcome.")


def _note(order: WorkOrder) -> str:
    return _("Note added.")


def _attach(order: WorkOrder) -> str:
    return _("File attached.")


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


DONE: dict[str, Callable[[WorkOrder], str]] = {
    "submit": _submit,
    "classify": _classify,
    "dismiss": _dismiss,
    "merge": _merge,
    "assign": _assign,
    "accept": _accept,
    "contact": _contact,
    "return": _return,
    "reply": _reply,
    "approve": _approve,
    "reject": _reject,
    "callback": _callback,
    "decide_callback": _decide_callback,
    "reopen": _reopen,
    "request_extension": _request_extension,
    "decide_extension": _decide_extension,
    "urge": _urge,
    "internal_urge": _internal_urge,
    "escalate": _escalate,
    "supervise": _supervise,
    "answer_supervision": _answer_supervision,
    "assist": _assist,
    "waive_assist": _waive_assist,
    "transfer": _transfer,
    "platform_reply": _platform_reply,
    "platform_evaluation": _platform_evaluation,
    "suspend": _suspend,
    "decide_suspend": _decide_suspend,
    "resume": _resume,
    "terminate": _terminate,
    "note": _note,
    "attach": _attach,
}


def done_message(code: str, order: WorkOrder) -> str:
    """What the page says after ``code`` left ``order`` as it is."""
    return DONE[code](order)
