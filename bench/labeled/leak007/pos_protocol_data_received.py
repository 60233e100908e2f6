# Leaks: the protocol schedules a handler task for every received line and keeps no reference to it.
import asyncio


class SyslogProtocol(asyncio.Protocol):
    def __init__(self, sink) -> None:
        self.sink = sink
        self._buffer = b""

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.peer = transport.get_extra_info("peername")

    async def _store(self, line: str) -> None:
        await self.sink.write(self.peer[0], line)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            asyncio.create_task(self._store(line.decode(errors="replace")))  # expect: LEAK007


async def serve(sink, port: int = 5140) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SyslogProtocol(sink), "0.0.0.0", port)
    async with server:
        await server.serve_forever()
