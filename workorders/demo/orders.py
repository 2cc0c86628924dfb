"""Demo work orders: a few hundred realistic complaints in every state, built through the services.

``seed_orders()`` replays three months of a call center's work. Every order is a small story (a
generator) that registers its complaint with ``workorders.intake.services.complaint_register`` and then
takes lifecycle actions with ``workorders.lifecycle.perform(..., now=<a past time>)``, as the demo
users of the matching roles. The stories of all orders run interleaved in time order, so merges,
repeat complaints and urges meet the other orders in the state they really had at that moment, and
every event, counter and timestamp is what the real services wrote.

Deterministic (seeded random; times are relative to ``now``) and idempotent: when demo orders exist
(customers whose account number starts with ``DEMO_ACCOUNT_PREFIX``) it does nothing.
"""

import heapq
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.demo import seed_organisation
from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import Category, Customer
from config.errors import DomainError
from notifications.models import Notification

from ..intake.services import complaint_register
from ..lifecycle import perform
from ..models import Deadline, WorkOrder
from . import texts as T

log = logging.getLogger(__name__)

DEMO_ACCOUNT_PREFIX = "5101"
DEFAULT_COUNT = 300
DAYS = 90

# Handlers for the units that the base demo organisation leaves without one (username, name, dept).
EXTRA_HANDLERS = [
    ("handler_cx", "周晓东（城西所）", "BJ-CX", "13800000011"),
    ("handler_cn", "吴丽萍（城南所）", "BJ-CN", "13800000012"),
    ("handler_js", "郑海涛（建设部）", "BJ-JS", "13800000013"),
]

# domain.md §6: one city's mix (voltage 52 %, service 14 %, billing 14 %, outage 12 %, grid 8 %).
L1_WEIGHTS = {"04": 52, "01": 14, "02": 14, "03": 12, "05": 8}
# Inside supply quality most complaints are low voltage.
LEAF_WEIGHTS = {"040101": 60, "040102": 6, "040501": 12, "040502": 6, "040401": 5, "040301": 4, "040201": 1}

CHANNEL_WEIGHTS = {
    "phone_95598": 55,
    "app": 11,
    "gov_12345": 8,
    "wechat": 6,
    "web_95598": 5,
    "regulator_12398": 4,
    "walk_in": 4,
    "letter": 2,
    "weibo": 1,
    "suggestion_box": 1,
    "leader_reception": 1,
    "other": 2,
}
LEVEL_WEIGHTS = {"general": 80, "important": 15, "major": 4, "special": 1}
TRUTH_WEIGHTS = {"true": 55, "partly_true": 15, "not_true": 25, "unverifiable": 5}
LINES = ["10千伏东湖线", "10千伏幸福线", "10千伏石桥线", "10千伏南湖Ⅱ回", "10千伏白沙线", "10千伏工业园线"]


@dataclass
class Spec:
    """What will happen to one demo order."""

    idx: int
    leaf: str
    channel: str
    customer: Customer
    district: str
    received_at: object = None
    stop: str = "closed"  # intake, classification, assignment, processing, review, callback, closed
    variant: str = ""  # how it gets there (see _story)
    outcome: str = "resolved"
    urges: int = 0
    escalate: bool = False
    note: bool = False
    returned: bool = False
    rejected: bool = False
    category_at_intake: bool = False
    upgrade_tendency: bool = False
    parent: "Spec | None" = None  # merge target (dup) or earlier order (repeat)
    repeat: bool = False  # a repeat complaint of ``parent``
    merged: bool = False  # a duplicate, once merged into ``parent``
    children: list = field(default_factory=list)
    order_id: int | None = None
    tracking_no: str = ""
    closed_at: object = None
    content: str = ""
    demand: str = ""
    customer_name: str = ""
    give_account: bool = True
    cohandle: str = ""  # the code of the assisting department (协办), if any


class Filler(dict):
    """``str.format_map`` values made up on demand, from the seeded random."""

    def __init__(self, rng, spec, units):
        super().__init__()
        self.rng, self.spec, self.units = rng, spec, units

    def __missing__(self, key):
        r, spec = self.rng, self.spec

        def date():
            when = timezone.localtime(spec.received_at) - timedelta(days=r.randint(0, 4))
            return f"{when.month}月{when.day}日"

        makers = {
            "date": date,
            "hall": lambda: f"{self.units[spec.district].name}营业厅",
            "days": lambda: r.randint(3, 15),
            "amount": lambda: r.choice([56, 87, 128, 163, 215, 320, 486, 612, 860]),
            "months": lambda: r.randint(2, 6),
            "month": lambda: timezone.localtime(spec.received_at).month,
            "n": lambda: r.randint(3, 6),
            "hours": lambda: r.randint(3, 14),
            "low_v": lambda: r.randint(150, 186),
            "ok_v": lambda: r.randint(212, 222),
            "kva": lambda: r.choice([200, 315, 400]),
            "length": lambda: r.choice([300, 450, 600, 800, 1200]),
            "line": lambda: r.choice(LINES),
            "minutes": lambda: r.randint(22, 42),
            "staff": lambda: r.choice(T.STAFF_ROLES),
            "contact": lambda: "服务热线95598",
            "name": lambda: spec.customer_name,
            "addr_short": lambda: _short_address(spec.customer.address),
            "appliance": lambda: r.choice(T.APPLIANCES[:5]),
            "appliance2": lambda: r.choice(T.APPLIANCES[5:]),
            "day": lambda: r.choice(["明天上午", "明天下午", "后天上午", "今天下午"]),
            "other": lambda: self.units[r.choice([d for d in T.DISTRICTS if d != spec.district])].name,
        }
        self[key] = made = makers[key]()
        return made


def _short_address(address):
    tail = address.split("区", 1)[-1]
    for stop in ("单元", "组", "号"):
        if stop in tail:
            return tail.split(stop, 1)[0] + ("组" if stop == "组" else "")
    return tail[:10]


def _pick(rng, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _ensure_people():
    """The demo organisation (seeded first by accounts.demo) plus handlers for every unit."""
    if not Department.objects.filter(code="BJ").exists():
        seed_organisation()
    depts = {d.code: d for d in Department.objects.all()}
    handler_group = Group.objects.get(name=Role.HANDLER.value)
    for username, display, dept_code, phone in EXTRA_HANDLERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "display_name": display,
                "department": depts[dept_code],
                "phone": phone,
                "email": f"{username}@example.com",
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
            user.groups.add(handler_group)
    users = {u.username: u for u in User.objects.select_related("department")}
    return depts, users


class _Sim:
    """Runs many order stories interleaved in time order."""

    def __init__(self, cutoff):
        self.cutoff = cutoff
        self.heap = []
        self.seq = 0
        self.failures = []

    def spawn(self, at, story):
        heapq.heappush(self.heap, (at, self.seq, story))
        self.seq += 1

    def run(self, progress=None):
        """Play the stories; ``progress(done)`` after each story that ends (one per order)."""
        done = 0
        while self.heap:
            at, _seq, story = heapq.heappop(self.heap)
            try:
                nxt = next(story)
            except StopIteration:
                done += 1
                if progress:
                    progress(done)
                continue
            except DomainError as exc:
                self.failures.append(f"{at:%Y-%m-%d %H:%M}: {exc}")
                log.warning("demo order story stopped: %s", exc)
                continue
            heapq.heappush(self.heap, (nxt, self.seq, story))
            self.seq += 1


class _Seeder:
    def __init__(self, *, count, now, seed):
        self.rng = random.Random(seed)
        self.now = now
        self.count = count
        self.sim = _Sim(cutoff=now - timedelta(minutes=2))
        self.turns = {}
        self.depts, self.users = _ensure_people()
        self.units = {district: self.depts[code] for district, (code, *_rest) in T.DISTRICTS.items()}
        self.categories = {c.code: c for c in Category.objects.filter(is_active=True)}
        self.leaves = sorted(code for code in self.categories if len(code) == 6)
        handlers = [u for u in self.users.values() if u.has_role(Role.HANDLER) and u.department_id]
        # the handler covering a department: the one whose department is its nearest ancestor-or-self
        self.handler_for = {}
        for dept in self.depts.values():
            covering = [h for h in handlers if dept.path.startswith(h.department.path)]
            if covering:
                self.handler_for[dept.code] = max(covering, key=lambda h: h.department.depth)
        self.agent, self.dispatcher, self.supervisor = (
            self.users[n] for n in ("agent", "dispatcher", "supervisor")
        )

    # --- time ---------------------------------------------------------------------------------

    def later(self, t, lo, hi, office=True):
        """``t`` plus lo..hi minutes, squeezed so that the story still ends before now.

        ``office``: people work 08:00-21:00, so a step that would fall at night moves to the next
        morning (unless that is past now).
        """
        d = timedelta(minutes=self.rng.uniform(lo, hi))
        if t + d > self.sim.cutoff:
            d = (self.sim.cutoff - t) * self.rng.uniform(0.15, 0.5)
        t = t + d
        local = timezone.localtime(t)
        if office and not 8 <= local.hour < 21:
            morning = local.replace(hour=8, minute=0, second=0) + timedelta(
                days=1 if local.hour >= 21 else 0, minutes=self.rng.uniform(0, 90)
            )
            if morning <= self.sim.cutoff:
                t = morning
        return t

    def pace(self, t, usual, slow, p_slow, office=True):
        """``later`` by ``usual`` (lo, hi) minutes, or now and then (``p_slow``) by ``slow``: most
        stages are done in time, a few run late, as in a real centre."""
        lo, hi = slow if self.rng.random() < p_slow else usual
        return self.later(t, lo, hi, office=office)

    def act(self, spec, code, actor, t, **data):
        return perform(spec.order_id, code, actor=actor, data=data, now=t)

    # --- the plan -----------------------------------------------------------------------------

    def make_customers(self, n):
        r = self.rng
        rows, used_phones = [], set()
        keys = list(T.KEY_CUSTOMERS)
        for i in range(n):
            key = keys.pop(0) if i % 30 == 7 and keys else None
            district = key[1] if key else r.choice(list(T.DISTRICTS))
            _unit_code, streets, estates, towns = T.DISTRICTS[district]
            if key:
                name = key[0]
                address = f"滨江市{district}{r.choice(streets)}{r.randint(1, 300)}号"
            else:
                name = r.choice(T.SURNAMES) + r.choice(T.GIVEN)
                if r.random() < 0.7:
                    address = (
                        f"滨江市{district}{r.choice(streets)}{r.randint(1, 399)}号{r.choice(estates)}"
                        f"{r.randint(1, 28)}栋{r.randint(1, 4)}单元{r.randint(1, 18)}0{r.randint(1, 4)}室"
                    )
                else:
                    town = r.choice(list(towns))
                    address = (
                        f"滨江市{district}{town}{r.choice(towns[town])}"
                        f"{r.randint(1, 12)}组{r.randint(1, 80)}号"
                    )
            while True:
                phone = f"1{r.choice('35789')}{r.randint(0, 9)}{r.randint(10_000_000, 99_999_999)}"
                if phone not in used_phones:
                    used_phones.add(phone)
                    break
            rows.append(
                Customer(
                    account_no=f"{DEMO_ACCOUNT_PREFIX}{i + 1:06d}",
                    name=name,
                    phone=phone,
                    address=address,
                    supply_unit=self.units[district],
                    is_key_customer=bool(key),
                    is_sensitive=not key and r.random() < 0.03,
                )
            )
        existing = {
            c.account_no: c for c in Customer.objects.filter(account_no__startswith=DEMO_ACCOUNT_PREFIX)
        }
        Customer.objects.bulk_create([c for c in rows if c.account_no not in existing])
        by_account = {
            c.account_no: c
            for c in Customer.objects.filter(account_no__startswith=DEMO_ACCOUNT_PREFIX).select_related(
                "supply_unit"
            )
        }
        district_of = {unit.pk: d for d, unit in self.units.items()}
        return [
            (by_account[c.account_no], district_of[by_account[c.account_no].supply_unit_id]) for c in rows
        ]

    def category_plan(self, n):
        r = self.rng
        codes = []
        for l1, weight in L1_WEIGHTS.items():
            share = round(n * weight / 100)
            leaves = [c for c in self.leaves if c.startswith(l1)]
            picked = list(leaves) if share >= len(leaves) else r.sample(leaves, share)  # every leaf appears
            weights = [
                LEAF_WEIGHTS.get(c, 1) if l1 == "04" else (3 if c[:4] in ("0101", "0203", "0204") else 1)
                for c in leaves
            ]
            picked += r.choices(leaves, weights=weights, k=max(0, share - len(picked)))
            codes += picked
        while len(codes) < n:
            codes.append("040101")
        r.shuffle(codes)
        return codes[:n]

    def plan(self):
        r, n = self.rng, self.count
        n_merged = max(2, n * 5 // 100)
        n_repeat = max(2, n * 5 // 100)
        n_base = n - n_merged - n_repeat
        customers = self.make_customers(n_base + 8)
        leaves = self.category_plan(n_base)  # duplicates and repeats take their parent's issue
        specs = []
        for i in range(n):
            cust, district = customers[i % len(customers)]
            spec = Spec(
                idx=i,
                leaf=leaves[i % n_base],
                channel=_pick(r, CHANNEL_WEIGHTS),
                customer=cust,
                district=district,
            )
            spec.category_at_intake = r.random() < 0.5
            spec.upgrade_tendency = r.random() < 0.04
            spec.give_account = r.random() < 0.75 or cust.is_key_customer
            specs.append(spec)
        base, merged, repeats = specs[:n_base], specs[n_base : n_base + n_merged], specs[n_base + n_merged :]

        # final states of the base orders, with quotas so that every state is present
        # A new call waits minutes for classification and dispatch: at a few dozen calls a day only a
        # handful are in those states at any moment (more would pile up as a spike of calls today).
        quotas = [
            ("intake", 2),
            ("classification", 2),
            ("assignment", 3),
            ("processing", max(6, n * 12 // 100)),
            ("review", max(3, n * 4 // 100)),
            ("callback", max(3, n * 4 // 100)),
        ]
        order = list(range(n_base))
        r.shuffle(order)
        pos = 0
        for stop, k in quotas:
            for j in order[pos : pos + k]:
                base[j].stop = stop
            pos += k
        closed = [base[j] for j in order[pos:]]
        for spec in base:
            spec.variant = self.variant_for(spec)
            if spec.stop in ("intake", "classification"):
                spec.category_at_intake = True  # so that every category shows up somewhere
        # closed orders: spread evenly over the whole period (every day has some), then outcomes
        closed.sort(key=lambda s: s.idx)
        for k, spec in enumerate(closed):
            age = 3 + (DAYS - 3.2) * (k + r.random()) / len(closed)
            spec.received_at = self.received(age)
        r.shuffle(closed)
        n_dismiss, n_unreach = max(1, n * 6 // 100), max(1, n * 6 // 100)
        for spec in closed[:n_dismiss]:
            spec.outcome, spec.variant = "not_established", "dismiss"
            spec.category_at_intake = True  # closed before classification: the agent's category stays
        old = [s for s in closed[n_dismiss:] if s.received_at < self.now - timedelta(days=12)]
        for spec in old[:n_unreach]:
            spec.outcome, spec.variant = "unreachable", "unreachable"
        for spec in base:
            if spec.received_at is None:
                spec.received_at = self.received(self.open_age(spec), soonest=5)
        # duplicates merged into an open-at-the-time order of the same customer
        # (a closed target must be old enough that it is surely still open when the duplicate comes in)
        targets = [
            s
            for s in base
            if s.variant not in ("dismiss", "new")
            and (
                s.stop in ("processing", "review", "callback")
                or s.stop == "closed"
                and s.received_at < self.now - timedelta(days=10)
            )
        ]
        for spec, target in zip(merged, r.sample(targets, min(len(targets), len(merged))), strict=False):
            spec.parent, spec.stop, spec.outcome, spec.variant = target, "closed", "merged", "merge"
            spec.customer, spec.district, spec.leaf = target.customer, target.district, target.leaf
            target.children.append(spec)
        # repeat complaints: the same customer and issue again within 30 days of closing
        parents = [
            s
            for s in closed
            if s.outcome == "resolved"
            and s.variant == "plain"
            and s.received_at < self.now - timedelta(days=30)
            and not s.children
        ]
        for spec, parent in zip(repeats, r.sample(parents, min(len(parents), len(repeats))), strict=False):
            spec.parent, spec.repeat = parent, True
            spec.stop = r.choice(["closed", "closed", "closed", "processing", "review"])
            spec.variant = self.variant_for(spec)
            if spec.variant == "extension":  # an extension is asked for recent orders only
                spec.variant = "contacted"
            spec.customer, spec.district = parent.customer, parent.district
            spec.leaf = r.choice([c for c in self.leaves if c[:4] == parent.leaf[:4]])
            spec.category_at_intake = True
            parent.children.append(spec)
        for spec in merged + repeats:
            if spec.parent is None:  # too few orders to pair with: an ordinary closed complaint then
                spec.stop, spec.variant = "closed", "plain"
                spec.received_at = self.received(r.uniform(3, 60))
        for spec in specs:
            self.sprinkle(spec)
        return [s for s in specs if s.parent is None], specs

    def received(self, age_days, soonest=20):
        """A call ``age_days`` ago, moved into the hotline's busy hours, at least ``soonest`` minutes
        (a few more at random) before now."""
        t = self.now - timedelta(days=age_days)
        local = timezone.localtime(t)
        if local.hour < 7 or local.hour >= 22:  # the hotline is busiest in the day; move night calls there
            local = local.replace(hour=self.rng.randint(8, 20), minute=self.rng.randint(0, 59))
        spread = 70 if soonest >= 20 else 10
        t = min(local, self.now - timedelta(minutes=self.rng.randint(soonest, soonest + spread)))
        return t

    MINUTE = 1 / 1440  # of a day

    def open_age(self, spec):
        """How long ago an open order came in, in days: a snapshot of a working centre, where most
        open orders are within their limits (a new call waits minutes for dispatch, a reply hours
        for review) and a few are overdue (returned orders, a share of the slow ones)."""
        r, m = self.rng, self.MINUTE
        return {
            "intake": lambda: r.uniform(5 * m, 20 * m),
            "classification": lambda: r.uniform(5 * m, 20 * m),
            "assignment": lambda: (
                r.uniform(8 * m, 22 * m) if spec.variant != "returned" else r.uniform(0.1, 0.6)
            ),
            "processing": lambda: (
                r.uniform(0.1, 0.9)
                if spec.variant in ("new", "accepted")
                else r.uniform(1, 4)
                if spec.variant == "extension"
                else r.uniform(0.3, 4)
                if r.random() < 0.9
                else r.uniform(5, 12)
            ),
            "review": lambda: r.uniform(0.1, 1.2),
            "callback": lambda: r.uniform(0.2, 1.5),
        }[spec.stop]()

    # How the open orders got where they are: taken in turn, so that even a small demo has each.
    OPEN_VARIANTS = {
        "assignment": ["returned", "new"],
        "processing": [
            "extension",
            "contacted",
            "accepted",
            "reopened",
            "new",
            "rejected",
            "extension",
            "contacted",
            "accepted",
            "contacted",
            "reopened",
            "new",
        ],
        "callback": ["policy", "plain", "one_failed", "plain"],
    }

    def variant_for(self, spec):
        r = self.rng
        if spec.stop in self.OPEN_VARIANTS:
            turn = self.turns[spec.stop] = self.turns.get(spec.stop, -1) + 1
            variants = self.OPEN_VARIANTS[spec.stop]
            return variants[turn % len(variants)]
        if spec.stop == "closed":
            return _pick(r, {"plain": 74, "unsatisfied_reopen": 6, "policy": 4, "supervisor_reopen": 5})
        return "plain"

    def sprinkle(self, spec):
        r = self.rng
        if spec.stop in ("intake", "classification") or spec.variant in ("dismiss", "merge"):
            return
        spec.returned = spec.stop != "assignment" and r.random() < 0.08 or spec.variant == "returned"
        spec.rejected = (
            spec.stop in ("review", "callback", "closed") and r.random() < 0.07 or spec.variant == "rejected"
        )
        spec.urges = 3 if spec.idx % 37 == 5 else _pick(r, {0: 80, 1: 12, 2: 5, 3: 3})
        spec.escalate = spec.idx % 29 == 3 or r.random() < 0.03
        spec.note = r.random() < 0.2

    def write_text(self, spec):
        r = self.rng
        cust = spec.customer
        if cust.is_key_customer:
            spec.customer_name = f"{cust.name}（{r.choice(T.SURNAMES)}主任）"
        elif r.random() < 0.6:
            spec.customer_name = cust.name[0] + ("先生" if r.random() < 0.55 else "女士")
        else:
            spec.customer_name = cust.name
        fill = Filler(r, spec, self.units)
        content, demand = r.choice(T.CONTENT[spec.leaf])
        content = content.format_map(fill)
        if spec.variant == "merge":
            content = f"客户再次来电反映同一问题，称至今无人处理。{content}"
        elif spec.repeat:
            content = (
                f"客户称此前已反映过该问题（工单号见关联工单），当时答复已处理，但近期问题再次出现。{content}"
            )
        if spec.upgrade_tendency:
            content += r.choice(
                [
                    "客户表示如再不解决将向12398投诉。",
                    "客户情绪激动，称要向媒体反映。",
                    "客户表示将向12345市民热线反映。",
                ]
            )
        spec.content, spec.demand = content, demand.format_map(fill)
        spec.fill = fill

    # --- routing --------------------------------------------------------------------------------

    def route(self, spec):
        r, l1, unit = self.rng, spec.leaf[:2], self.units[spec.district]
        team = self.depts.get(f"{unit.code}-YY", unit)
        if l1 == "01":
            return r.choice([team, team, self.depts["BJ-YX"]])
        if l1 == "02":
            if spec.leaf[:4] in ("0203", "0204"):
                return r.choice([self.depts["BJ-YX-DF"], team])
            return r.choice([self.depts["BJ-YX"], team])
        if l1 == "03":
            return r.choice([self.depts["BJ-YJ-QX"], self.depts["BJ-YJ"], unit])
        if l1 == "04":
            return r.choice([unit, unit, unit, self.depts["BJ-YJ"]])
        return r.choice([self.depts["BJ-JS"], self.depts["BJ-JS"], self.depts["BJ-YJ"]])

    def wrong_route(self, spec):
        others = [u for d, u in self.units.items() if d != spec.district]
        return self.rng.choice(others)

    # --- one order's story ------------------------------------------------------------------

    def story(self, spec):
        r, sim = self.rng, self.sim
        self.write_text(spec)
        t = spec.received_at
        slow_channel = spec.channel in ("letter", "suggestion_box", "leader_reception")
        t = self.later(t, 5, 20) if slow_channel else self.later(t, 1, 5, office=False)
        yield t
        ext = ""
        if spec.channel in ("gov_12345", "regulator_12398"):
            ext = f"{spec.channel[-5:]}-{timezone.localtime(spec.received_at):%Y%m%d}{spec.idx:04d}"
        parent = spec.parent
        complaint = complaint_register(
            actor=self.agent,
            channel=spec.channel,
            customer_name=spec.customer_name,
            phone=spec.customer.phone,
            account_no=spec.customer.account_no if spec.give_account else "",
            address=spec.customer.address,
            content=spec.content,
            demand=spec.demand,
            received_at=spec.received_at,
            now=t,
            category=self.categories[spec.leaf] if spec.category_at_intake else None,
            upgrade_tendency=spec.upgrade_tendency,
            external_ref=ext,
            draft=spec.stop == "intake",
            related_to=WorkOrder.objects.get(pk=parent.order_id) if spec.repeat else None,
        )
        spec.order_id, spec.tracking_no = complaint.workorder.pk, complaint.tracking_no
        if spec.stop == "intake":
            return
        if spec.variant == "merge":
            t = self.later(t, 10, 60)
            yield t
            self.act(spec, "merge", self.dispatcher, t, into=parent.order_id)
            spec.merged = True
            return
        if spec.stop == "classification":
            if spec.urges:
                t = self.later(t, 20, 120)
                yield t
                self.act(spec, "urge", self.agent, t, comment=r.choice(T.URGE_COMMENTS))
            return
        t = self.pace(t, (2, 10), (20, 60), 0.04, office=False)  # the dispatch centre works 24/7
        yield t
        if spec.variant == "dismiss":
            self.act(spec, "dismiss", self.supervisor, t, reason=r.choice(T.DISMISS_REASONS))
            return
        self.act(
            spec,
            "classify",
            self.dispatcher,
            t,
            category=self.categories[spec.leaf].pk,
            level=_pick(r, LEVEL_WEIGHTS),
        )
        if spec.stop == "assignment" and spec.variant == "new":
            return
        # dispatch, possibly to the wrong unit first (returned: 退单)
        dept = self.wrong_route(spec) if spec.returned else self.route(spec)
        t = yield from self.assign(spec, t, dept)
        if spec.returned:
            handler = self.handler_for[dept.code]
            t = self.later(t, 20, 240)
            yield t
            self.act(spec, "accept", handler, t)
            t = self.later(t, 10, 90)
            yield t
            reason = r.choice(T.RETURN_REASONS[:1]).format(other=self.units[spec.district].name)
            self.act(spec, "return", handler, t, reason=reason)
            if spec.stop == "assignment":
                return
            dept = self.route(spec)
            t = yield from self.assign(spec, t, dept)
        if spec.stop == "processing" and spec.variant == "new":
            return
        handler = self.handler_for[dept.code]
        t = self.pace(t, (10, 120), (120, 300), 0.1)
        yield t
        self.act(spec, "accept", handler, t)
        for child in spec.children:
            if child.variant == "merge":
                child.received_at = self.later(t, 60, 600)
                sim.spawn(child.received_at, self.story(child))
        if spec.stop == "processing" and spec.variant == "accepted":
            t = yield from self.urge(spec, t)
            return
        t = self.pace(t, (20, 420), (1500, 2200), 0.02)
        yield t
        self.act(
            spec,
            "contact",
            handler,
            t,
            method=_pick(r, {"phone": 8, "visit": 3, "sms": 1}),
            comment=r.choice(T.CONTACT_NOTES).format(day=spec.fill["day"]),
        )
        t = yield from self.urge(spec, t)
        if spec.note:
            t = self.later(t, 60, 900)
            yield t
            self.act(spec, "note", handler, t, comment=r.choice(T.NOTES))
        if spec.escalate:
            t = self.later(t, 60, 600)
            yield t
            if not WorkOrder.objects.filter(pk=spec.order_id, level="special").exists():  # not at the top yet
                self.act(spec, "escalate", self.supervisor, t, comment=r.choice(T.ESCALATE_COMMENTS))
            # 督办: the supervisor sets requirements; the department answers (one in three still open)
            t = self.later(t, 10, 120)
            yield t
            self.act(spec, "supervise", self.supervisor, t, requirements=r.choice(T.SUPERVISION_REQUIREMENTS))
            self.turns["supervise"] = turn = self.turns.get("supervise", -1) + 1
            if not (spec.stop == "processing" and turn % 3 == 0):
                t = self.later(t, 60, 900)
                yield t
                self.act(spec, "answer_supervision", handler, t, comment=r.choice(T.SUPERVISION_ANSWERS))
        if spec.stop == "processing" and spec.variant == "extension":
            t = self.later(t, 120, 1440)
            yield t
            reply_due = (
                Deadline.objects.open()
                .filter(order_id=spec.order_id, stage="reply")
                .order_by("-pk")
                .values_list("due_at", flat=True)
                .first()
            )
            if reply_due is not None and t >= reply_due:
                return  # too late to ask (an extension must come before the deadline): stays contacted
            reason, basis = r.choice(T.EXTENSION_REASONS[spec.leaf[:2]])
            due = max(self.now, timezone.now()) + timedelta(days=r.randint(2, 6))
            self.act(spec, "request_extension", handler, t, requested_due_at=due, reason=reason, basis=basis)
            self.turns["extension"] = turn = self.turns.get("extension", -1) + 1
            decision = ["pending", "approved", "refused", "approved"][turn % 4]
            if decision != "pending":
                t = self.later(t, 60, 600)
                yield t
                self.act(
                    spec,
                    "decide_extension",
                    self.supervisor,
                    t,
                    approve=decision == "approved",
                    comment="同意延期，请按期办结。"
                    if decision == "approved"
                    else "不同意延期，请按原时限办结。",
                )
            return
        if spec.stop == "processing" and spec.variant == "contacted":
            self.turns["suspend"] = turn = self.turns.get("suspend", -1) + 1
            if turn < 2:  # 挂起: awaiting a court's or a third party's result; one approved, one asked
                t = self.later(t, 60, 600)
                yield t
                self.act(spec, "suspend", handler, t, reason=T.SUSPEND_REASONS[turn])
                if turn == 0:
                    t = self.later(t, 30, 300)
                    yield t
                    self.act(
                        spec,
                        "decide_suspend",
                        self.supervisor,
                        t,
                        approved=True,
                        comment="同意挂起，结果出来后及时恢复。",
                    )
            return
        if spec.cohandle:
            # 协办: the assisting department gives its part before the lead replies
            t = self.later(t, 60, 1440)
            yield t
            helper = self.handler_for[spec.cohandle]
            self.act(spec, "assist", helper, t, opinion=self.rng.choice(T.ASSIST_OPINIONS))
        # reply → review (maybe rejected once) → callback → closed; a duplicate of this order that
        # came in meanwhile is merged first (a merge needs the order open)
        for _poll in range(60):
            if all(c.merged for c in spec.children if c.variant == "merge"):
                break
            t = self.later(t, 30, 90)
            yield t
        t = yield from self.reply(spec, t, handler, dept)
        if spec.rejected:
            t = self.later(t, 120, 900)
            yield t
            self.act(spec, "reject", self.supervisor, t, reason=r.choice(T.REJECT_REASONS))
            if spec.stop == "processing":
                return
            t = yield from self.reply(spec, t, handler, dept)
        if spec.stop == "review":
            return
        t = yield from self.approve(spec, t)
        if spec.variant == "unreachable":
            for attempt in range(settings.CALLBACK_MAX_ATTEMPTS):
                t = t + timedelta(minutes=r.uniform(150, 420)) if attempt else self.later(t, 120, 1200)
                yield t
                self.act(
                    spec,
                    "callback",
                    self.agent,
                    t,
                    reached=False,
                    comment=r.choice(T.CALLBACK_COMMENTS["unreached"]),
                )
            return
        if spec.stop == "callback":
            if spec.variant == "one_failed":
                t = self.later(t, 60, 600)
                yield t
                self.act(
                    spec,
                    "callback",
                    self.agent,
                    t,
                    reached=False,
                    comment=r.choice(T.CALLBACK_COMMENTS["unreached"]),
                )
            elif spec.variant == "policy":
                t = self.later(t, 60, 600)
                yield t
                self.act(
                    spec,
                    "callback",
                    self.agent,
                    t,
                    reached=True,
                    satisfaction="unsatisfied",
                    dissatisfaction_reason="result_not_accepted_policy",
                    comment=r.choice(T.CALLBACK_COMMENTS["policy"]),
                )
            return
        if spec.variant in ("unsatisfied_reopen", "reopened"):
            t = self.later(t, 120, 1440)
            yield t
            self.act(
                spec,
                "callback",
                self.agent,
                t,
                reached=True,
                satisfaction="unsatisfied",
                dissatisfaction_reason="process_not_done",
                comment=r.choice(T.CALLBACK_COMMENTS["unsatisfied"]),
            )
            if spec.stop == "processing":
                return
            t = yield from self.reply(spec, t, handler, dept)
            t = yield from self.approve(spec, t)
        elif spec.variant == "policy":
            t = self.later(t, 120, 1440)
            yield t
            self.act(
                spec,
                "callback",
                self.agent,
                t,
                reached=True,
                satisfaction="unsatisfied",
                dissatisfaction_reason="result_not_accepted_policy",
                comment=r.choice(T.CALLBACK_COMMENTS["policy"]),
            )
            t = self.later(t, 60, 1440)
            yield t
            self.act(
                spec,
                "decide_callback",
                self.supervisor,
                t,
                reopen=False,
                comment="已按政策规定处理并向客户解释，维持原处理意见，予以办结。",
            )
            spec.closed_at = t
            yield from self.after_close(spec, t)
            return
        t = self.later(t, 120, 1440)
        yield t
        satisfaction = _pick(r, {"satisfied": 78, "basically_satisfied": 22})
        self.act(
            spec,
            "callback",
            self.agent,
            t,
            reached=True,
            satisfaction=satisfaction,
            comment=r.choice(T.CALLBACK_COMMENTS[satisfaction]),
        )
        spec.closed_at = t
        if spec.variant == "supervisor_reopen":
            t = self.later(t, 1440, 5 * 1440)
            yield t
            self.act(spec, "reopen", self.supervisor, t, reason=r.choice(T.REOPEN_REASONS))
            t = yield from self.reply(spec, t, handler, dept)
            t = yield from self.approve(spec, t)
            t = self.later(t, 120, 1440)
            yield t
            self.act(
                spec,
                "callback",
                self.agent,
                t,
                reached=True,
                satisfaction="basically_satisfied",
                comment=r.choice(T.CALLBACK_COMMENTS["basically_satisfied"]),
            )
            spec.closed_at = t
        yield from self.after_close(spec, t)

    def after_close(self, spec, t):
        for child in spec.children:
            if child.repeat:
                child.received_at = self.later(t, 3 * 1440, 20 * 1440)
                self.sim.spawn(child.received_at, self.story(child))
        if spec.channel in ("gov_12345", "regulator_12398"):
            # the reply goes back to the platform (most within its limit), then its evaluation
            self.turns["platform"] = turn = self.turns.get("platform", -1) + 1
            if turn % 5 == 4:
                return  # one in five still owed to the platform (its queue, its deadline)
            t = self.later(t, 30, 24 * 60)
            yield t
            self.act(spec, "platform_reply", self.agent, t, reply=self.rng.choice(T.PLATFORM_REPLIES))
            if turn % 5 < 3:
                t = self.later(t, 24 * 60, 3 * 24 * 60)
                yield t
                evaluation = ["satisfied", "basically_satisfied", "satisfied"][turn % 3]
                self.act(
                    spec, "platform_evaluation", self.agent, t, evaluation=evaluation, comment="平台回访"
                )

    def assign(self, spec, t, dept):
        t = self.pace(t, (2, 12), (25, 90), 0.04, office=False)
        yield t
        handler = self.handler_for[dept.code]
        assignee = handler.pk if handler.department_id == dept.pk and self.rng.random() < 0.4 else None
        extra = {}
        if (
            not spec.cohandle
            and spec.leaf.startswith("02")  # billing: 营销部 assists the unit that handles it
            and dept.code != "BJ-YX"
            and spec.stop in ("review", "callback", "closed")
            and self.turns.get("cohandle", 0) < 3
        ):
            self.turns["cohandle"] = self.turns.get("cohandle", 0) + 1
            spec.cohandle = "BJ-YX"
            extra["assisting_departments"] = [self.depts["BJ-YX"].pk]
        self.act(spec, "assign", self.dispatcher, t, department=dept.pk, assignee=assignee, **extra)
        return t

    def urge(self, spec, t):
        for _ in range(spec.urges):
            t = self.later(t, 60, 1440)
            yield t
            self.act(spec, "urge", self.agent, t, comment=self.rng.choice(T.URGE_COMMENTS))
        if spec.urges >= 2:  # urged twice by the customer: the centre urges the department too (内部催办)
            t = self.later(t, 10, 120)
            yield t
            self.act(spec, "internal_urge", self.dispatcher, t, comment=self.rng.choice(T.CENTRE_URGES))
        return t

    def reply(self, spec, t, handler, dept):
        r = self.rng
        t = self.pace(t, (120, 1.2 * 1440), (5 * 1440, 7 * 1440), 0.02)
        yield t
        truth = _pick(r, TRUTH_WEIGHTS)
        texts = T.handling_for(spec.leaf)
        fill = spec.fill
        if truth in ("true", "partly_true"):
            cause, measures, reply = (s.format_map(fill) for s in r.choice(texts["true"]))
            if truth == "partly_true":
                cause = "部分属实。" + cause
            extra = {
                "responsible_department": dept.pk,
                "responsible_person": r.choice(T.SURNAMES) + r.choice(T.GIVEN),
            }
        else:
            cause, reply = (s.format_map(fill) for s in r.choice(texts["not_true"]))
            if truth == "unverifiable":
                cause = "因现场已无法复原，客户反映情况无法核实。" + cause
            measures = "向客户详细解释相关政策、规定和检测结果，做好沟通安抚工作。"
            extra = {}
        self.act(
            spec,
            "reply",
            handler,
            t,
            cause=cause,
            truthfulness=truth,
            measures=measures,
            reply=reply,
            **extra,
        )
        return t

    def approve(self, spec, t):
        t = self.pace(t, (15, 150), (400, 1400), 0.08)
        yield t
        self.act(spec, "approve", self.supervisor, t, comment=self.rng.choice(T.APPROVE_COMMENTS))
        return t


def demo_orders_exist() -> bool:
    return WorkOrder.objects.filter(customer__account_no__startswith=DEMO_ACCOUNT_PREFIX).exists()


# The demo's people read their inbox as the 90 days went by: what came before the last two days is read.
UNREAD_DAYS = 2


def read_history(now) -> int:
    """Mark the demo notices older than ``UNREAD_DAYS`` read (at the time they came), so each inbox
    opens on the last days' news, not on three months of it."""
    return Notification.objects.filter(
        read_at__isnull=True, created_at__lt=now - timedelta(days=UNREAD_DAYS)
    ).update(read_at=F("created_at"))


@transaction.atomic
def seed_orders(*, count: int | None = None, now=None, seed: int = 95598, progress=None) -> dict:
    """Add ``count`` (default ``DEMO_ORDERS``, 300) demo orders over the last 90 days; idempotent.

    ``progress(done, total)`` is called as the order stories end (for a console's progress line).
    Returns a summary: ``created`` (0 when demo orders already existed) and ``failures`` (steps a
    rule refused; expected empty).
    """
    if demo_orders_exist():
        return {"created": 0, "failures": []}
    count = count or getattr(settings, "DEMO_ORDERS", DEFAULT_COUNT)
    seeder = _Seeder(count=count, now=now or timezone.now(), seed=seed)
    roots, specs = seeder.plan()
    for spec in roots:
        seeder.sim.spawn(spec.received_at, seeder.story(spec))
    seeder.sim.run(progress=(lambda done: progress(done, len(specs))) if progress else None)
    read_history(seeder.now)
    created = sum(1 for s in specs if s.order_id)
    return {"created": created, "failures": seeder.sim.failures}
