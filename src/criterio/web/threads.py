"""Blocking work of a request (database statements, the models) on a worker thread.

``await in_thread(func, *args)`` is what ``run_in_threadpool`` does for FastAPI's sync
endpoints and dependencies, at about half the CPU per trip: a plain executor instead of
anyio's capacity limiter and cancel-scope bookkeeping (measured in docs/benchmarks.md).
Like anyio's default, a cancelled caller still waits for its call to finish, so a
request's session is never closed under a statement still running on it.

The pool is this process's own and at least as large as the requests allowed to hold a
database session at once (``SESSION_SLOTS``, see ``web.deps.get_session``): an admitted
request never waits for a thread behind work that waits for its connection.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

__all__ = ["SESSION_SLOTS", "in_thread"]

P = ParamSpec("P")
T = TypeVar("T")

#: Requests of one process that may hold a database session (and so a pooled connection)
#: at once; the engine's pool has this many connections plus as many overflow ones.
SESSION_SLOTS = 10

_EXECUTOR = ThreadPoolExecutor(max_workers=2 * SESSION_SLOTS, thread_name_prefix="criterio-io")


async def in_thread(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``func(*args, **kwargs)`` on a worker thread; its result, or its exception."""
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(_EXECUTOR, functools.partial(func, *args, **kwargs))
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # The thread cannot be stopped: wait until it is done, then let the cancellation
        # through (its result or error no longer has anyone to go to).
        while not future.done():
            try:
                await asyncio.wait([future])
            except asyncio.CancelledError:
                continue
        raise
