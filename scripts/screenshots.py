"""Screenshot every workbench page for every demo role in Chinese and English (1366×768).

    .venv/bin/python scripts/screenshots.py [--out screenshots] [--only agent,dispatcher] [--lang zh-hans]

Builds a throw-away SQLite database under var/screens/, seeds the demo organisation and one order in
each state, starts `manage.py runserver` on a free port and drives the system Chromium
(/usr/bin/chromium) through Playwright. PNGs land in screenshots/<language>/<role>-<page>.png.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROLES = ["agent", "dispatcher", "handler", "handler2", "supervisor", "manager", "admin"]
LANGUAGES = ["zh-hans", "en"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed():
    """The demo organisation and one order per state; returns {name: order id}."""
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.demo import seed_organisation
    from complaints.models import Category
    from workorders.intake.services import complaint_register
    from workorders.lifecycle import perform
    from workorders.models import WorkOrder

    call_command("migrate", verbosity=0)
    depts, users = seed_organisation()
    u = {user.username: user for user, _role in users}
    leaf = Category.objects.get(code="040101")
    orders = {}

    def new(name, phone, account, content, draft=False):
        c = complaint_register(
            actor=u["agent"],
            channel="phone_95598",
            customer_name=name,
            phone=phone,
            account_no=account,
            address="滨江市城东区幸福路12号",
            content=content,
            demand="尽快解决问题并给出答复",
            draft=draft,
        )
        return c.workorder.pk

    def act(pk, code, who, **data):
        order = WorkOrder.objects.get(pk=pk)
        perform(pk, code, actor=u[who], version=order.version, data=data)

    orders["draft"] = new("草稿客户", "13700000001", "3300000001", "草稿：客户反映路灯不亮。", draft=True)
    orders["classification"] = new("张先生", "13912345678", "3301234567", "家里电压长期偏低，空调无法启动。")
    orders["assignment"] = new("李女士", "13912340000", "3301230000", "电费账单金额异常，比上月高出一倍。")
    act(orders["assignment"], "classify", "dispatcher", category=leaf.pk, level="general")
    orders["processing"] = new("王先生", "13912341111", "3301231111", "停电后抢修人员迟迟未到。")
    act(orders["processing"], "classify", "dispatcher", category=leaf.pk, level="important")
    act(orders["processing"], "assign", "dispatcher", department=depts["BJ-YX"].pk)
    orders["accepted"] = new("赵女士", "13912342222", "3301232222", "电压波动导致家电损坏。")
    act(orders["accepted"], "classify", "dispatcher", category=leaf.pk, level="general")
    act(orders["accepted"], "assign", "dispatcher", department=depts["BJ-YX"].pk)
    act(orders["accepted"], "accept", "handler")
    act(orders["accepted"], "contact", "handler", method="phone", comment="已联系客户")
    WorkOrder.objects.filter(pk=orders["accepted"]).update(is_overdue=True)
    orders["review"] = new("孙先生", "13912343333", "3301233333", "营业厅工作人员态度恶劣。")
    for code, who, data in [
        ("classify", "dispatcher", {"category": leaf.pk, "level": "general"}),
        ("assign", "dispatcher", {"department": depts["BJ-YX"].pk}),
        ("accept", "handler", {}),
        ("contact", "handler", {"method": "phone"}),
        (
            "reply",
            "handler",
            {
                "cause": "台区负荷过重",
                "truthfulness": "true",
                "measures": "调整负荷",
                "reply": "已处理完毕",
                "responsible_department": depts["BJ-YX"].pk,
            },
        ),
    ]:
        act(orders["review"], code, who, **data)
    orders["callback"] = new("周女士", "13912344444", "3301234444", "电表走字过快。")
    for code, who, data in [
        ("classify", "dispatcher", {"category": leaf.pk, "level": "general"}),
        ("assign", "dispatcher", {"department": depts["BJ-YX"].pk}),
        ("accept", "handler", {}),
        ("contact", "handler", {"method": "phone"}),
        (
            "reply",
            "handler",
            {
                "cause": "表计故障",
                "truthfulness": "true",
                "measures": "更换电表",
                "reply": "已更换电表",
                "responsible_department": depts["BJ-YX"].pk,
            },
        ),
        ("approve", "supervisor", {"comment": "同意"}),
        ("note", "agent", {"comment": "客户白天不方便接电话"}),
    ]:
        act(orders["callback"], code, who, **data)
    return orders


PAGES = {
    # page name → (url template, roles that open it; None = all)
    "home": ("/", None),
    "intake": ("/intake/", {"agent"}),
    "intake-lookup": ("/intake/?phone=13912345678", {"agent"}),
    "orders": ("/orders/", None),
    "search": ("/search/?q=13912345678", None),
    "customer": ("/customers/{customer}/", {"agent", "dispatcher", "supervisor", "manager", "admin"}),
    "detail-classification": ("/orders/{classification}/", None),
    "detail-processing": ("/orders/{processing}/", None),
    "detail-accepted": ("/orders/{accepted}/", None),
    "detail-review": ("/orders/{review}/", None),
    "detail-callback": ("/orders/{callback}/", None),
    "detail-draft": ("/orders/{draft}/", {"agent"}),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--only", default="", help="comma-separated roles")
    parser.add_argument("--lang", default="", help="one language code")
    parser.add_argument("--pages", default="", help="comma-separated page names")
    args = parser.parse_args()

    var = ROOT / "var" / "screens"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    # DEBUG off, so error pages look as users see them; plain HTTP on the loopback.
    env = {
        **os.environ,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "screenshots-only-not-a-secret-" + "x" * 30,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    os.environ.update(env)
    orders = seed()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    from workorders.models import WorkOrder

    orders["customer"] = WorkOrder.objects.get(pk=orders["classification"]).customer_id
    # Queues too: one screenshot per queue of each role.
    from accounts.models import User
    from workorders.queues import queues_for

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        roles = [r for r in ROLES if not args.only or r in args.only.split(",")]
        languages = [args.lang] if args.lang else LANGUAGES
        wanted = set(args.pages.split(",")) if args.pages else None
        count = 0
        queue_names = {r: [q.code for q in queues_for(User.objects.get(username=r))] for r in roles}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for language in languages:
                out = Path(args.out) / language
                out.mkdir(parents=True, exist_ok=True)
                for role in roles:
                    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=language)
                    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                    page = context.new_page()
                    page.goto(base + "/accounts/login/")
                    if role == roles[0]:
                        page.screenshot(path=str(out / "login.png"))
                    page.fill("#id_username", role)
                    page.fill("#id_password", os.environ.get("DEMO_PASSWORD", "demo12345"))
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    shots = dict(PAGES)
                    for code in queue_names[role]:
                        shots[f"queue-{code}"] = (f"/orders/?queue={code}", None)
                    for name, (url, allowed) in shots.items():
                        if allowed is not None and role not in allowed or wanted and name not in wanted:
                            continue
                        page.goto(base + url.format(**orders))
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(out / f"{role}-{name}.png"), full_page=True)
                        count += 1
                    if role == "agent" and (not wanted or "intake-errors" in wanted):
                        # A failed submit: the typed text stays, the errors sit beside the fields.
                        page.goto(base + "/intake/")
                        page.fill("#id_phone", "12345")
                        page.fill("#id_content", "表箱门损坏，存在安全隐患。")
                        page.click("[data-testid=submit]")
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(out / f"{role}-intake-errors.png"), full_page=True)
                        count += 1
                    context.close()
            browser.close()
        print(f"{count} screenshots in {args.out}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
