"""Mesa, imported without the stack walks its logging does at import: the engine imports Mesa from here.

Mesa 3.5's ``mesa.model`` names its logger with ``inspect.stack()`` and ``inspect.getmodule`` of the
caller's frame, and decorates ``Model.__init__`` with ``method_logger``, which calls
``inspect.getouterframes``. They read the source lines of every frame on the stack and search all of
``sys.modules`` for the frames' modules: about 0.15 s of a default ``giftsim run``, whose stack is deep
and whose ``sys.modules`` is large by then, to learn two names. While Mesa is imported here, frames are
listed without their source lines (Mesa reads only the frame and the function's name) and a frame's
module is the one its globals belong to; the names Mesa finds are the same. The two functions are
``inspect``'s own again as soon as Mesa is imported; import this module from the main thread (as every
import of the engine is), since another thread listing frames meanwhile would get them without source.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType, ModuleType


def frames_without_source(frame: FrameType | None, context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.getouterframes`` without reading source: each frame with no code context (``context``, the
    lines of source asked for, is taken for the same signature and ignored)."""
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
        frame = frame.f_back
    return frames


@contextmanager
def frames_looked_up_cheaply() -> Iterator[None]:
    """While inside, ``inspect.stack`` and ``inspect.getouterframes`` read no source, and
    ``inspect.getmodule`` of a frame is the module its globals belong to."""
    getouterframes, getmodule = inspect.getouterframes, inspect.getmodule

    def module_of(obj: object, _filename: str | None = None) -> ModuleType | None:
        if inspect.isframe(obj):
            return sys.modules.get(obj.f_globals.get("__name__"))
        return getmodule(obj, _filename)

    inspect.getouterframes, inspect.getmodule = frames_without_source, module_of  # inspect.stack calls these
    try:
        yield
    finally:
        inspect.getouterframes, inspect.getmodule = getouterframes, getmodule


with frames_looked_up_cheaply():
    import mesa

from mesa.experimental.scenarios import Scenario  # noqa: E402  (imported with mesa above)
from mesa.time import Priority, Schedule  # noqa: E402

__all__ = ["Priority", "Scenario", "Schedule", "mesa"]
