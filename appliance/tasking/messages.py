"""Queue messages as JSON, never pickle.

Huey pickles its messages by default, and unpickling runs whatever the bytes say: anyone
who can write to the queue (a Redis server on the office network, the queue file) could
run code in every worker, the office PC's included. A task's arguments are JSON already
(the ledger keeps them so), so the message is JSON too; a message that is not is dropped
unread, and the reaper sends its task again from the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from huey.registry import Message
from huey.serializer import Serializer

_TIMES = ("eta", "expires_resolved")
_FIELDS = frozenset(Message._fields)


class JsonMessages(Serializer):
    """Huey's serializer interface, writing and reading Messages as JSON objects."""

    def _serialize(self, data: Any) -> bytes:
        if not isinstance(data, Message):
            raise TypeError(f"only task messages go on the queue, not {type(data).__name__}")
        fields = data._asdict()
        if any(fields[name] is not None for name in ("on_complete", "on_error", "chord_config")):
            raise ValueError("task pipelines are not used by the appliance")
        for name in _TIMES:
            if fields[name] is not None:
                fields[name] = fields[name].isoformat()
        fields["args"] = list(fields["args"] or ())
        return json.dumps(fields).encode("utf-8")

    def _deserialize(self, data: bytes) -> Message:
        fields = json.loads(data.decode("utf-8"))
        if not isinstance(fields, dict) or not set(fields) <= _FIELDS:
            raise ValueError("not a task message")
        for name in _TIMES:
            if fields.get(name) is not None:
                fields[name] = dt.datetime.fromisoformat(fields[name])
        fields["args"] = tuple(fields.get("args") or ())
        return Message(**fields)
