"""The dashboard's server answers only its own pages, in one line when a request is bad, and exits as commands do."""

import asyncio
import signal
import subprocess
import time
import urllib.request

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from sim.dashboard.server import OriginGuard, check_port
from tests.conftest import giftsim_command

PORT = 8765
OWN = f"http://127.0.0.1:{PORT}"


async def page(request):
    return PlainTextResponse("page")


async def broken(request):
    raise ValueError("a malformed\nrequest")


async def socket(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


class Client:
    """Sends one request through the ASGI app and gathers what it sends back (Starlette's TestClient needs httpx,
    which giftsim does not depend on)."""

    def __init__(self, app):
        self.app = app

    def request(self, kind: str, path: str, headers: dict[str, str]) -> list[dict]:
        headers = {"host": OWN.removeprefix("http://"), **{k.lower(): v for k, v in headers.items()}}
        scope = {"type": kind, "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                 "headers": [(k.encode(), v.encode()) for k, v in headers.items()], "scheme": "http",
                 "server": ("127.0.0.1", PORT), "client": ("127.0.0.1", 50000), "asgi": {"version": "3.0"},
                 "http_version": "1.1", **({"method": "GET"} if kind == "http" else {"subprotocols": []})}
        incoming = [{"type": "http.request", "body": b"", "more_body": False} if kind == "http"
                    else {"type": "websocket.connect"}]
        sent = []

        async def receive():
            return incoming.pop(0) if incoming else {"type": "http.disconnect" if kind == "http" else
                                                     "websocket.disconnect", "code": 1000}

        async def send(message):
            sent.append(dict(message))

        asyncio.run(self.app(scope, receive, send))
        return sent

    def get(self, path: str = "/", **headers: str) -> tuple[int, str]:
        sent = self.request("http", path, headers)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]).decode()

    def websocket(self, path: str = "/ws", **headers: str) -> list[dict]:
        return self.request("websocket", path, headers)


@pytest.fixture
def logged():
    return []


@pytest.fixture
def client(logged):
    app = Starlette(routes=[Route("/", page), Route("/broken", broken), WebSocketRoute("/ws", socket)])
    return Client(OriginGuard(app, PORT, log=logged.append))


def test_the_dashboards_own_pages_and_sockets_are_served(client, logged):
    assert client.get() == (200, "page")
    assert client.get(origin=OWN) == (200, "page")
    assert client.get(origin=f"http://localhost:{PORT}", host=f"localhost:{PORT}") == (200, "page")
    assert [m["type"] for m in client.websocket(origin=OWN)] == ["websocket.accept", "websocket.send",
                                                                  "websocket.close"]
    assert logged == []


def test_a_websocket_from_another_origin_is_refused(client, logged):
    # Before: `Origin: http://evil.example` got 101 Switching Protocols, so any open page could drive the dashboard.
    sent = client.websocket(origin="http://evil.example")
    assert [(m["type"], m["code"]) for m in sent] == [("websocket.close", 1008)]  # closed before accepting: a 403
    assert logged == ["giftsim dashboard: refused WEBSOCKET /ws: Origin 'http://evil.example' is not the "
                      "dashboard's own"]


@pytest.mark.parametrize(("headers", "reason"), [
    ({"origin": "http://evil.example"}, "Origin 'http://evil.example' is not the dashboard's own"),
    ({"origin": f"http://127.0.0.1:{PORT + 1}"}, f"Origin 'http://127.0.0.1:{PORT + 1}' is not the dashboard's own"),
    ({"host": f"evil.example:{PORT}"}, f"Host 'evil.example:{PORT}' is not the dashboard's address"),  # DNS rebinding
])
def test_http_requests_from_another_origin_or_host_are_refused(client, logged, headers, reason):
    assert client.get(**headers) == (403, f"{reason}\n")
    assert logged == [f"giftsim dashboard: refused GET /: {reason}"]


def test_an_error_in_the_app_is_one_line_not_a_traceback(client, logged):
    assert client.get("/broken")[0] == 500  # Starlette answered before raising; uvicorn printed the traceback
    assert logged == ["giftsim dashboard: bad request GET /broken: ValueError: a malformed request"]


def test_an_error_before_any_answer_is_one_line_and_a_400(logged):
    async def app(scope, receive, send):
        raise RuntimeError("Invalid HTTP request")

    assert Client(OriginGuard(app, PORT, log=logged.append)).get("/x") == (400, "bad request\n")
    assert logged == ["giftsim dashboard: bad request GET /x: RuntimeError: Invalid HTTP request"]


@pytest.mark.slow  # the dashboard's server takes 3-6 s to start
@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_giftsim_dashboard_exits_130_or_143_on_a_signal_and_refuses_other_origins(sig, status):
    port = PORT + 17
    check_port(port)
    child = subprocess.Popen(giftsim_command("dashboard", "--port", str(port), "--set", "population.viewers=300",
                                             "--set", "population.creators=10"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Origin": "http://evil.example"})
    with pytest.raises(urllib.error.HTTPError, match="403"):
        urllib.request.urlopen(request, timeout=5)
    child.send_signal(sig)
    _, err = child.communicate(timeout=30)
    assert child.returncode == status
    assert err.splitlines() == ["giftsim dashboard: refused GET /: Origin 'http://evil.example' is not the "
                                "dashboard's own", "giftsim: interrupted; nothing was written"]
