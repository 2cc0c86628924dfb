"""A real Open311 client (the ``georeport`` package, GeoReport v2) against our server over HTTP.

georeport 0.3.1 reads (services, requests) but has no call to file a request, and sends no key
with its reads: the filing is the spec's form POST made with ``requests`` (georeport's own HTTP
library), and the reads carry the key as the password of HTTP Basic authentication, written into
the client's root address (``http://api:KEY@host/open311/v2``), which ``requests`` sends as an
``Authorization`` header.
"""

from urllib.parse import urlsplit

import pytest
import requests
import xmltodict
from georeport import GeoReport

from tests.builders import REPLY
from tests.complaints.open311.conftest import filing
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


def root(live_server) -> str:
    return f"{live_server.url}/open311/v2"


def reader(live_server, key, output_format="json") -> GeoReport:
    """A georeport client whose reads carry ``key`` (HTTP Basic)."""
    url = urlsplit(live_server.url)
    return GeoReport(f"{url.scheme}://api:{key}@{url.netloc}/open311/v2", output_format=output_format)


def post(live_server, key, fmt="json", **overrides) -> requests.Response:
    return requests.post(
        f"{root(live_server)}/requests.{fmt}", data={**filing(**overrides), "api_key": key}, timeout=30
    )


def test_client_lists_services_files_a_request_and_reads_its_status_back_in_json(live_server, platform):
    client, key = platform
    georeport = GeoReport(root(live_server))

    # given the services the jurisdiction offers
    services = {service["service_code"]: service for service in georeport.get_service_list()}
    low_voltage = services["040101"]
    assert low_voltage["service_name"] == "低电压"
    assert low_voltage["group"] == "供电质量投诉"
    assert low_voltage["metadata"] is False and low_voltage["type"] == "realtime"
    assert "0401" not in services and "04" not in services  # only leaves are services
    assert georeport.get_service_definition("040101") == {"service_code": "040101", "attributes": []}

    # when the platform files a request
    response = post(live_server, key, description="电压偏低，灯泡发暗。")
    assert response.status_code == 201, response.text
    [answer] = response.json()
    request_id = answer["service_request_id"]
    assert answer["account_id"] == "citizen-778"
    assert request_id in answer["service_notice"]

    # then it is a complaint in classification, received by the platform's service account
    order = WorkOrder.objects.select_related("complaint").get(tracking_no=request_id)
    assert order.status == "classification"
    assert order.channel == "gov_12345"
    assert order.received_by == client.user
    assert order.category.code == "040101"
    assert order.complaint.content == "电压偏低，灯泡发暗。"
    assert order.complaint.customer_name == "张三"

    # and the client reads its status back, one and in the list
    mine = reader(live_server, key)
    read = mine.get_service_request(request_id)
    assert read["service_request_id"] == request_id
    assert read["status"] == "open"
    assert read["status_notes"] is None
    assert read["service_code"] == "040101"
    assert read["address"] == "滨江市城东区幸福路12号3单元"
    assert [r["service_request_id"] for r in mine.get_service_requests()] == [request_id]
    assert mine.get_service_requests(status="closed") == []


def test_the_same_in_xml(live_server, platform):
    _client, key = platform
    georeport = GeoReport(root(live_server), output_format="xml")

    services = {service["service_code"]: service for service in georeport.get_service_list()}
    assert services["040101"]["metadata"] == "false"
    assert services["040101"]["group"] == "供电质量投诉"

    response = post(live_server, key, fmt="xml")
    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/xml")
    request_id = xmltodict.parse(response.content)["service_requests"]["request"]["service_request_id"]

    read = reader(live_server, key, output_format="xml").get_service_request(request_id)
    assert read["service_request_id"] == request_id
    assert read["status"] == "open"
    assert read["status_notes"] is None  # an empty element
    assert read["agency_responsible"]


def test_a_wrong_key_is_refused(live_server, platform):
    _client, key = platform

    # when filing with a wrong key, or none
    wrong = post(live_server, key[:-3] + "xyz")
    missing = requests.post(f"{root(live_server)}/requests.json", data=filing(), timeout=30)
    wrong_xml = post(live_server, "o311_not-a-key", fmt="xml")

    # then 403 in the spec's error format, and nothing is filed
    assert wrong.status_code == missing.status_code == wrong_xml.status_code == 403
    assert wrong.json()[0]["code"] == 403 and wrong.json()[0]["description"]
    assert xmltodict.parse(wrong_xml.content)["errors"]["error"]["code"] == "403"
    assert not WorkOrder.objects.exists()

    # and reading with a wrong key fails too
    with pytest.raises(requests.HTTPError) as refused:
        reader(live_server, "o311_not-a-key").get_service_requests()
    assert refused.value.response.status_code == 403


def test_a_request_filed_by_one_client_is_not_readable_by_another(live_server, platform, make_client):
    _client, key = platform
    _other, other_key = make_client("临江市12345平台")
    request_id = post(live_server, key).json()[0]["service_request_id"]

    other = reader(live_server, other_key)
    with pytest.raises(requests.HTTPError) as refused:
        other.get_service_request(request_id)
    assert refused.value.response.status_code == 404  # as for a request that does not exist
    assert other.get_service_requests() == []
    assert other.get_service_requests(service_request_id=request_id) == []
    assert reader(live_server, key).get_service_request(request_id)["service_request_id"] == request_id


def test_status_notes_appear_only_once_the_reply_is_approved(live_server, platform, build, depts):
    _client, key = platform
    request_id = post(live_server, key).json()[0]["service_request_id"]
    order = WorkOrder.objects.get(tracking_no=request_id)
    mine = reader(live_server, key)

    # given the order handled and replied to, the reply not yet approved
    build.classify(order)
    build.assign(order, department="BJ-YJ")
    build.accept_and_contact(order)
    build.reply(order)
    read = mine.get_service_request(request_id)
    assert read["status"] == "open"
    assert read["status_notes"] is None
    assert read["agency_responsible"] == depts["BJ-YJ"].name

    # when a supervisor approves it
    build.approve(order)

    # then the reply is the status notes; the order closes after the callback
    assert mine.get_service_request(request_id)["status_notes"] == REPLY["reply"]
    build.callback(order)
    closed = reader(live_server, key, output_format="xml").get_service_request(request_id)
    assert closed["status"] == "closed"
    assert closed["status_notes"] == REPLY["reply"]
