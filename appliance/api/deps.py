"""Dependencies the routes ask for, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appliance.runtime import Runtime
from appliance.tasking.monitor import TaskMonitor

# The getters are `async def` although they do not wait for anything: FastAPI runs a plain
# `def` dependency in its thread pool, a hop of ~0.1 ms (more when the GIL is busy) on
# every request for what is an attribute lookup.


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def get_monitor(request: Request) -> TaskMonitor:
    return request.app.state.monitor


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
MonitorDep = Annotated[TaskMonitor, Depends(get_monitor)]
