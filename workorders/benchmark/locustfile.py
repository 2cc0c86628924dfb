"""The load the benchmark drives through locust (run as ``python -m locust -f <this file>``).

Not Django code: locust's gevent patches the process, so the benchmark command starts locust as a
child process and talks to it through two files. ``BENCH_SCENARIO`` names a JSON file::

    {"requests": [{"method": "GET", "path": "/api/v1/workorders/", "headers": {...}}, ...],
     "intake": {"path": "/api/v1/complaints/", "headers": {...}, "phones": [...]},   # or null
     "timeout": 60, "out": "/tmp/…/result.json"}

Each simulated user sends one request after the other without waiting (a closed loop): a GET
picked at random from ``requests``, or, with ``intake``, a POST of a fresh complaint body.
Every response time is kept (not locust's rounded percentiles) and written to ``out`` at the end
with the wall-clock span of the run, the failures and a few of their messages.
"""

import json
import os
import random
import time

from locust import FastHttpUser, constant, events, task

SCENARIO = json.loads(open(os.environ["BENCH_SCENARIO"], encoding="utf-8").read())  # noqa: SIM115
TIMES: list[float] = []
ERRORS: list[str] = []
FAILURES = [0]
SPAN = {"start": None, "end": None}

CONTENTS = [
    "电压偏低，晚上灯光昏暗，空调无法启动，已持续一周。",
    "抢修人员到达超时，停电近六个小时无人处理。",
    "电费突然翻倍，怀疑电能表计量不准，要求校验。",
    "营业厅工作人员态度恶劣，办理业务推诿。",
    "小区附近施工后道路未恢复，影响出行。",
]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    now = time.time()
    if SPAN["start"] is None:
        SPAN["start"] = now - response_time / 1000
    SPAN["end"] = now
    if exception is None:
        TIMES.append(response_time)
    else:
        FAILURES[0] += 1
        if len(ERRORS) < 10:
            ERRORS.append(f"{request_type} {name}: {exception}"[:300])


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(SCENARIO["out"], "w", encoding="utf-8") as fh:
        json.dump(
            {
                "times_ms": TIMES,
                "errors": ERRORS,
                "failures": FAILURES[0],
                "start": SPAN["start"],
                "end": SPAN["end"],
            },
            fh,
        )


def _check(response, expected):
    if response.status_code != expected:
        response.failure(f"HTTP {response.status_code}: {response.text[:200]!r}")
    else:
        response.success()


class BenchmarkUser(FastHttpUser):
    wait_time = constant(0)
    network_timeout = float(SCENARIO.get("timeout", 60))
    connection_timeout = float(SCENARIO.get("timeout", 60))

    @task
    def one(self):
        intake = SCENARIO.get("intake")
        if intake:
            body = {
                "channel": random.choice(["phone_95598"] * 6 + ["app", "wechat", "web_95598"]),
                "customer_name": "压测客户",
                "phone": random.choice(intake["phones"]) if random.random() < 0.5 else _new_phone(),
                "address": f"滨江市城东区压测路{random.randint(1, 9999)}号",
                "content": random.choice(CONTENTS),
                "demand": "尽快处理并回复",
            }
            with self.client.post(
                intake["path"],
                json=body,
                headers=intake["headers"],
                name=intake["path"],
                catch_response=True,
                allow_redirects=False,
            ) as response:
                _check(response, 201)
            return
        request = random.choice(SCENARIO["requests"])
        with self.client.request(
            request["method"],
            request["path"],
            headers=request["headers"],
            name=request.get("name", request["path"]),
            catch_response=True,
            allow_redirects=False,  # a redirect (to the login page) is a failure, not a fast page
        ) as response:
            _check(response, 200)


def _new_phone():
    return "18" + "".join(random.choices("0123456789", k=9))
