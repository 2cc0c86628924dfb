"""The work-order search: what an agent types finds the order (issue 14, item 5).

- A tracking number (12 digits or more) is that order; the pages open it at once.
- A full mobile number (11 digits) matches the complaint's and the customer's phones exactly, for
  everyone. Part of a phone (4 to 10 digits) matches the phones that contain it, but only on the
  orders whose contact the user sees unmasked (``selectors.contact_visible_filter``): a handler never
  finds an order by a masked part of its phone (issue 13). Ten digits are also an account number.
- Text matches the content and the complainant near the query: each word of the query of three
  characters or more is cut into overlapping character pairs ("电压偏低" → 电压, 压偏, 偏低), and a
  complaint matches when it holds most of the pairs (``NEAR_SHARE``) of every word, so "电压偏低" finds
  "电压明显偏低". The whole query still matches the content, the complainant and, where it is shown,
  the address, as before.

On PostgreSQL every part is an index lookup (complaints migration 0005): the phones and names have
pg_trgm indexes; the pairs are looked up in a pg_trgm index on ``search_bigrams(column)``, the text
rewritten as its pairs as words (" 电压 压明 明显 … "), where a two-character pair is a whole word
and so has trigrams of its own (a trigram index cannot serve ``LIKE '%电压%'``). On SQLite the same
rules run as plain ``icontains``.

``workorder_search`` filters (the API list and the /orders/ page keep their own order);
``workorder_search_ranked`` also ranks, for the search page.
"""

import math
import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, Func, Q, TextField, Value, When
from django.db.models.lookups import Contains, GreaterThanOrEqual

from complaints.models import Complaint, Customer, normalize_phone

from .selectors import CONTACT_SHOWN_NOWHERE, contact_visible_filter

# A text search first collects the matching complaints' ids when there are at most this many.
TEXT_IDS_FIRST = 2000
# The fewest digits that search for a part of a phone number.
PHONE_PART_MIN = 4
# Share of a word's character pairs a complaint must hold to be near it.
NEAR_SHARE = 0.6

_WORDS = re.compile(r"[\w\u3400-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


class SearchBigrams(Func):
    """``search_bigrams(text)`` (PostgreSQL, complaints migration 0005): the text's character pairs
    as space-separated words, upper-cased."""

    function = "search_bigrams"
    output_field = TextField()


def tracking_number(value: str) -> str | None:
    """The tracking number ``value`` is, if it is one (the pages open that order)."""
    value = value.strip()
    return value if value.isdigit() and len(value) >= 12 else None


def query_words(value: str) -> list[str]:
    return _WORDS.findall(value.upper())


def word_pairs(word: str) -> list[str]:
    """The overlapping character pairs of a word with Chinese in it of three characters or more;
    the word itself otherwise."""
    if len(word) < 3 or not _CJK.search(word):
        return [word]
    return list(dict.fromkeys(word[i : i + 2] for i in range(len(word) - 1)))


def _pair_in(column: str, pair: str) -> Q:
    if connection.vendor == "postgresql":
        return Q(Contains(SearchBigrams(column), f" {pair} "))
    return Q(**{f"{column}__icontains": pair})


def _pair_hit(pair: str, columns) -> Q:
    return reduce(or_, (_pair_in(c, pair) for c in columns))


def _hits(pairs: list[str], columns) -> Case | Value:
    whens = [Case(When(_pair_hit(p, columns), then=Value(1)), default=Value(0)) for p in pairs]
    return reduce(lambda a, b: a + b, whens) if whens else Value(0)


def _near(value: str, columns=("content", "customer_name")) -> Q | None:
    """The complaints near the query: for every word, most of its pairs in one of ``columns``.
    None when the query is one short word (the whole-query match says it all)."""
    words = query_words(value)
    if len(words) <= 1 and (not words or word_pairs(words[0]) == [words[0]]):
        return None
    conditions = []
    for word in words:
        pairs = word_pairs(word)
        need = max(1, math.ceil(len(pairs) * NEAR_SHARE))
        if need == len(pairs):
            conditions.append(reduce(and_, (_pair_hit(p, columns) for p in pairs)))
        else:
            # With at most ``spare`` pairs missing, every group of spare + 1 pairs holds one: an AND
            # of ORs of index lookups narrows the rows before the pairs are counted.
            spare = len(pairs) - need
            groups = [pairs[i : i + spare + 1] for i in range(0, len(pairs) - spare, spare + 1)]
            for group in groups:
                conditions.append(reduce(or_, (_pair_hit(p, columns) for p in group)))
            conditions.append(Q(GreaterThanOrEqual(_hits(pairs, columns), need)))
    return reduce(and_, conditions)


def _complaints_matching(text: Q, *, broader: Q | None = None) -> Q | None:
    """The orders whose complaint matches ``text`` (or ``broader``, the near matches); None when no
    complaint does. A rare term: its few complaints first (the trigram indexes), then their orders
    by id. A common term (more than TEXT_IDS_FIRST matches): the orders newest first, testing each
    complaint, which finds a page quickly precisely because matches are common.

    Whether the term is common is asked of ``text`` alone first: the near matches of a common term
    ("电压偏低": 电压 is in a quarter of all complaints) would make PostgreSQL build bitmaps of
    hundreds of thousands of rows only to learn what the exact match already says."""
    full = text | broader if broader is not None else text

    def first_ids(q: Q) -> list[int]:
        return list(Complaint.objects.filter(q).values_list("pk", flat=True)[: TEXT_IDS_FIRST + 1])

    found = first_ids(text)
    if broader is not None and len(found) <= TEXT_IDS_FIRST:
        found = first_ids(full)
    if not found:
        return None
    if len(found) <= TEXT_IDS_FIRST:
        return Q(complaint_id__in=found)
    return Q(complaint__in=Complaint.objects.filter(full))


def _phone_part(digits: str, shown: Q | None) -> Q | None:
    """The orders whose complaint or customer phone contains ``digits``, where the user sees it."""
    if shown == CONTACT_SHOWN_NOWHERE:
        return None
    complaints = list(
        Complaint.objects.filter(phone__contains=digits).values_list("pk", flat=True)[: TEXT_IDS_FIRST + 1]
    )
    by_phone = Customer.objects.filter(Q(phone__contains=digits) | Q(alt_phone__contains=digits))
    customers = list(by_phone.values_list("pk", flat=True)[: TEXT_IDS_FIRST + 1])
    if not complaints and not customers:
        return None
    q = Q(complaint_id__in=complaints) | Q(customer_id__in=customers)
    return q if shown is None else q & shown


def workorder_search(qs, value: str, *, user):
    """The orders of ``qs`` matching a tracking number, a phone (whole, or a part where the user sees
    it), an account number or a text near the query, as ``user`` may search them (module docstring)."""
    value = value.strip()
    if not value:
        return qs
    if tracking_number(value):
        return qs.filter(tracking_no=value)
    digits = normalize_phone(value)
    if digits.isdigit() and len(digits) == 11:  # a full mobile number: exact, for everyone
        complaints = list(Complaint.objects.filter(phone=digits).values_list("pk", flat=True))
        by_phone = Customer.objects.filter(Q(phone=digits) | Q(alt_phone=digits))
        customers = list(by_phone.values_list("pk", flat=True))
        return qs.filter(Q(complaint_id__in=complaints) | Q(customer_id__in=customers))
    shown = contact_visible_filter(user)
    matches = []
    if digits.isdigit() and len(digits) >= PHONE_PART_MIN:
        matches.append(_phone_part(digits, shown))
        if len(digits) == 10:
            accounts = list(Customer.objects.filter(account_no=digits).values_list("pk", flat=True))
            matches.append(Q(customer_id__in=accounts) if accounts else None)
    text = Q(content__icontains=value) | Q(customer_name__icontains=value)
    near = _near(value)
    address = Q(address__icontains=value)
    if shown is None:  # the address is shown on every order: one match over the three columns
        matches.append(_complaints_matching(text | address, broader=near))
    else:
        matches.append(_complaints_matching(text, broader=near))
        if shown != CONTACT_SHOWN_NOWHERE:  # the address only on the orders where it is shown
            by_address = _complaints_matching(address)
            matches.append(by_address & shown if by_address is not None else None)
    matches = [q for q in matches if q is not None]
    return qs.filter(reduce(or_, matches)) if matches else qs.none()


def workorder_search_ranked(qs, value: str, *, user, limit: int = 50):
    """``workorder_search`` best first: the whole query in the content or the complainant ranks
    above a near match, more of the query's pairs above fewer, then (PostgreSQL) the trigram word
    similarity of the query to the content, then the newest. ``qs`` joins the complaint."""
    found = workorder_search(qs, value, user=user)
    value = value.strip()
    if not value or tracking_number(value):
        return found.order_by("-received_at", "-id")[:limit]
    columns = ("complaint__content", "complaint__customer_name")
    pairs = [p for w in query_words(value) for p in word_pairs(w)]
    rank = (
        Case(When(complaint__customer_name__iexact=value, then=Value(4)), default=Value(0))
        + Case(When(Q(complaint__content__icontains=value), then=Value(3)), default=Value(0))
        + Case(When(Q(complaint__customer_name__icontains=value), then=Value(3)), default=Value(0))
    )
    rank = rank + reduce(
        lambda a, b: a + b,
        (
            Case(
                When(reduce(or_, (Q(**{f"{c}__icontains": p}) for c in columns)), then=Value(1)),
                default=Value(0),
            )
            for p in pairs
        ),
        Value(0),
    )
    ranked = found.alias(rank_hits=rank)
    order = [F("rank_hits").desc()]
    if connection.vendor == "postgresql":
        ranked = ranked.alias(rank_similar=TrigramWordSimilarity(Value(value), "complaint__content"))
        order.append(F("rank_similar").desc())
    return ranked.order_by(*order, "-received_at", "-id")[:limit]
