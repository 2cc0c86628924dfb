"""Outage events (停电事件) and bulk handling of the complaints they cause (issue 16, item 6).

Described in full in ``workorders.outages.services``.
"""
