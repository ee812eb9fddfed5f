"""Dependencies the routes ask for, as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from appliance.container import Services
from appliance.tasking.monitor import TaskMonitor


def get_services(request: Request) -> Services:
    return request.app.state.services


def get_monitor(request: Request) -> TaskMonitor:
    return request.app.state.monitor


ServicesDep = Annotated[Services, Depends(get_services)]
MonitorDep = Annotated[TaskMonitor, Depends(get_monitor)]
