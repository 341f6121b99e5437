"""Serving the dashboard: Solara's Starlette app under uvicorn, on one host and port."""

from __future__ import annotations

import json
import os
import socket

from sim.engine.config import Config

APP_MODULE = "sim.dashboard.app"
SETTINGS_VARIABLE = "GIFTSIM_DASHBOARD"  # the config and seed, as JSON, for the app (sim.dashboard.app)
HOST = "127.0.0.1"  # this machine only: the dashboard runs code on every click, for whoever can reach it


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


def serve(config: Config, seed: int, port: int, host: str = HOST) -> None:
    """Serve the dashboard of ``config`` at :func:`url` until interrupted (Ctrl-C or SIGTERM).

    Solara reads its settings from the environment when it is first imported, so they are set
    before: the app to serve, the config and seed it shows, and no usage reports sent home.
    """
    os.environ["SOLARA_APP"] = APP_MODULE
    os.environ[SETTINGS_VARIABLE] = json.dumps({"config": config.model_dump(mode="json"), "seed": seed})
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    import uvicorn
    from solara.server.starlette import app

    uvicorn.run(app, host=host, port=port, log_level="warning")
