"""The launcher's listening socket, checked on a real asyncio server."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from appliance.config import Settings
from appliance.launcher import Launcher
from tests.support import free_port


def test_connections_are_served_with_nagle_off(tmp_path: Path) -> None:
    # Nagle's algorithm holds back the second part of a response until the client's
    # delayed ACK (40 ms on Linux): every request that followed another closely paid it.
    settings = Settings(data_dir=tmp_path / "data", port=free_port(), open_browser=False)
    settings.ensure_dirs()
    listening = Launcher(settings)._bind()
    port = listening.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        def on_connection(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connection, sock=listening)
        async with server:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(main())
    assert seen and seen[0] != 0
