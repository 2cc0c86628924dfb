"""Quality inspection (工单质检, issue 16 item 5).

Models (``models.py``, part of the ``workorders`` app through ``workorders/models/__init__.py``):

- ``InspectionRound``: one per ISO week (Asia/Shanghai), with the settings used to sample it.
- ``Inspection``: one sampled closed order of a round; the inspected agent (the order's
  ``received_by``) and department (the order's handling ``department`` when it closed); ``reasons``
  it was sampled (agent, department, unsatisfied, level); state pending → scored → appealed →
  decided; ``scores`` as JSON {item code: points}; ``total`` (the sum, or the manager's new total);
  ``version``, bumped by every action.
- ``InspectionAppeal``: at most one per inspection (a OneToOne): reason, who, when, the total before
  it; the decision (upheld / changed), the new total, who decided, when and why.
- ``InspectionLog``: append-only audit of every action (sampled, scored, appealed, decided: who,
  when, details).

The scoring form is ``QUALITY_ITEMS`` (one place): intake accuracy 25, classification 25, reply
quality 30, callback manner 20; total 100.

Sampling (``services.quality_sample``; the beat task ``workorders.quality.sample_week`` on Monday
02:00 for the week before; the command ``quality_sample --week YYYY-Www``): of the week's closed
orders (merged ones left out), every unsatisfied one (first or final answer), every special or major
one, then ``QUALITY_SAMPLE_PER_PERSON`` (default 2) orders per agent and as many per handling
department, drawn by a random generator seeded with the week (the same data gives the same sample).
A week that has its round already is left as it is: running twice adds nothing.

Who does what (``selectors.py``): supervisors score (not their own intake); the inspected party (the
agent, or a handler of the department) sees its results once scored and may appeal once, while the
result is ``scored``; managers decide appeals (not their own). Supervisors and managers see every
inspection of the orders in their scope; an agent only their own; a handler only their
departments'. Administrators see and may do everything.

Double submits are safe: every write locks the row, checks the state and the ``version`` the form or
the API body carries, so a second identical submit is refused (``stale`` or ``wrong_state``).

Notifications: the lifecycle matrix is driven by order events, which an inspection is not, so
``services.quality_notify`` writes the in-app inbox rows directly (a ``Message`` with event type
``quality_scored`` / ``quality_appealed`` / ``quality_decided`` and a dedupe key, one
``Notification`` per recipient), in the action's own transaction: the agent when scored, the managers
whose scope holds the order when appealed, the appellant when decided.

Pages: ``/quality/`` (queue oldest first, appeals waiting, results), ``/quality/<id>/`` (the
scoring form beside the order's summary, running total in ``static/js/quality.js``, the appeal and
decision forms), ``/quality/results/`` (statistics roles: average total per week, and per agent and
per department for each of the last weeks, from aggregate queries). API under
``/api/v1/inspections/``: list, detail, ``score``, ``appeal``, ``decide`` (``version`` in each body).
"""
