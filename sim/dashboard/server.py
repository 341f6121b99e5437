"""Serving the dashboard: Solara's Starlette app under uvicorn, on one host and port.

The app runs code on every click, for whoever can reach it, so it listens on this machine only and
answers only requests that come from its own pages: :class:`OriginGuard` refuses an HTTP request or
a websocket whose ``Origin`` is another site's (any page open in the user's browser could otherwise
drive it) or whose ``Host`` is not the dashboard's own address (DNS rebinding), and turns an error
inside the app into one line on stderr and a 400, not a traceback.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sim.engine.config import Config

APP_MODULE = "sim.dashboard.app"
SETTINGS_VARIABLE = "GIFTSIM_DASHBOARD"  # the config and seed, as JSON, for the app (sim.dashboard.app)
HOST = "127.0.0.1"  # this machine only: the dashboard runs code on every click, for whoever can reach it
LOCAL_NAMES = (HOST, "localhost")  # the names this machine's browser may give the dashboard's address

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class PortInUseError(OSError):
    """The port asked for cannot be listened on."""


def check_port(port: int, host: str = HOST) -> None:
    """Raise :class:`PortInUseError` unless ``host:port`` can be listened on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortInUseError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                                 "choose another port") from None


def url(port: int, host: str = HOST) -> str:
    """The dashboard's address."""
    return f"http://{host}:{port}/"


class OriginGuard:
    """ASGI middleware: only the dashboard's own pages reach ``app``; an error in it is one line and a 400.

    A request is refused (403, or a websocket closed before it is accepted) when its ``Origin`` header
    is present and is not ``http://NAME:PORT`` for a name of this machine (browsers send ``Origin`` on
    every websocket and cross-site request; a request without one, as from curl, is not a browser's
    page acting for another site), or when its ``Host`` header is not ``NAME:PORT``.
    """

    def __init__(self, app: App, port: int, names: tuple[str, ...] = LOCAL_NAMES,
                 log: Callable[[str], None] | None = None):
        self.app = app
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{host}" for host in self.hosts}
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused, or None."""
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
        origin, host = headers.get("origin"), headers.get("host")
        if origin is not None and origin not in self.origins:
            return f"Origin {origin!r} is not the dashboard's own"
        if host is not None and host not in self.hosts:
            return f"Host {host!r} is not the dashboard's address"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        what = f"{scope.get('method', 'WEBSOCKET')} {scope.get('path', '')}"
        reason = self.refusal(scope)
        if reason:
            self.log(f"giftsim dashboard: refused {what}: {reason}")
            await self._refuse(scope, send, 403, reason)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] in ("http.response.start", "websocket.accept", "websocket.close"):
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:  # noqa: BLE001 - whatever the app raised, the user sees one line, not its traceback
            self.log(f"giftsim dashboard: bad request {what}: {type(exc).__name__}: {' '.join(str(exc).split())}")
            if not started:
                await self._refuse(scope, send, 400, "bad request")

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, reason: str) -> None:
        if scope["type"] == "websocket":  # closed before it is accepted: the handshake gets a 403
            await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
            return
        body = f"{reason}\n".encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def serve(config: Config, seed: int, port: int, host: str = HOST) -> int | None:
    """Serve the dashboard of ``config`` at :func:`url` until interrupted (Ctrl-C or SIGTERM).

    Solara reads its settings from the environment when it is first imported, so they are set
    before: the app to serve, the config and seed it shows, and no usage reports sent home. The
    page's title is the config's, with no badge over the page.

    Returns:
        The signal that stopped the server (``signal.SIGINT`` or ``signal.SIGTERM``), or None.
    """
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ[SETTINGS_VARIABLE] = json.dumps({"config": config.model_dump(mode="json"), "seed": seed})
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    # Solara warns, in 20 lines on the first page, that its cookie needs https behind a proxy; served on
    # 127.0.0.1 only, there is no proxy and nothing to do.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    import uvicorn
    from solara.server import settings
    from solara.server.starlette import app

    settings.theme.show_banner = False  # its "runs on Solara" badge covered a phone's plots
    settings.theme.title = f"giftsim dashboard: {config.name}"

    class Server(uvicorn.Server):
        """uvicorn's server, which says which signal stopped it rather than raising it again after."""

        stopped_by: int | None = None

        def handle_exit(self, sig: int, frame: object) -> None:
            self.stopped_by = self.stopped_by or sig
            super().handle_exit(sig, frame)

    server = Server(uvicorn.Config(OriginGuard(app, port), host=host, port=port, log_level="warning"))
    server.run()
    return signal.Signals(server.stopped_by) if server.stopped_by else None
