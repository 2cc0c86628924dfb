"""The knowledge base (受理知识库) and reply templates (话术), issue 16 item 1.

Articles (policy, tariff, procedure, FAQ) and reply templates (intake script, reply to the
customer, callback script) belong to a category: one of a level-1 or level-2 category applies to
every category below it. Both are versioned: the row holds the current text, and every version
(the first included) is a snapshot row, so an edit never loses what agents read before it. Only
the effective (today within ``effective_from`` .. ``effective_to``) and active ones are offered.

The models live in this package and are imported by ``complaints.models``: they belong to the
complaints app (its label, its migrations).
"""
