"""The satisfaction survey by SMS (issue 15, item 3): a signed one-time link to a small mobile page
whose answer is recorded as the order's callback (channel ``sms_survey``)."""
