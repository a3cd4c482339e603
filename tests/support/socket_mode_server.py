"""A Socket Mode endpoint for tests: a minimal WebSocket server on 127.0.0.1 (stdlib only).

The bot, started with `SLACK_APP_TOKEN`, calls `apps.connections.open` on the Web API
stand-in, which hands out this server's `ws://` URL; the test then pushes envelopes shaped
like Slack's (`shared/slack/socket_mode/envelopes.json`) and reads the bot's acks.
Only what a Socket Mode conversation uses is implemented: the upgrade, text frames both
ways (client frames masked, as the protocol requires), ping/pong and close.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._cond = threading.Condition()
        self._client: socket.socket | None = None
        self.received: list[dict] = []
        threading.Thread(target=self._accept, daemon=True, name="socket-mode").start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=test"

    def close(self) -> None:
        self._listener.close()
        if self._client:
            self._client.close()

    # -- protocol --------------------------------------------------------------------------
    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(4096)
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            client.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
            with self._cond:
                self._client = client
                self._cond.notify_all()
            self.send({"type": "hello", "num_connections": 1, "debug_info": {"host": "test"}})
            threading.Thread(target=self._read, args=(client,), daemon=True).start()

    def _frame(self, opcode: int, payload: bytes) -> bytes:
        size = len(payload)
        if size < 126:
            header = struct.pack("!BB", 0x80 | opcode, size)
        elif size < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, size)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
        return header + payload

    def _exactly(self, client: socket.socket, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = client.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    def _read(self, client: socket.socket) -> None:
        try:
            while True:
                first, second = self._exactly(client, 2)
                opcode, size = first & 0x0F, second & 0x7F
                if size == 126:
                    size = struct.unpack("!H", self._exactly(client, 2))[0]
                elif size == 127:
                    size = struct.unpack("!Q", self._exactly(client, 8))[0]
                mask = self._exactly(client, 4) if second & 0x80 else b"\0\0\0\0"
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._exactly(client, size)))
                if opcode == 0x9:
                    client.sendall(self._frame(0xA, payload))
                elif opcode == 0x8:
                    return
                elif opcode == 0x1:
                    with self._cond:
                        self.received.append(json.loads(payload))
                        self._cond.notify_all()
        except (ConnectionError, OSError):
            return

    # -- test API ----------------------------------------------------------------------------
    def wait_connected(self, timeout: float = 30) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._client is not None, timeout):
                raise AssertionError("the bot never opened its Socket Mode connection")

    def send(self, envelope: dict) -> None:
        self._client.sendall(self._frame(0x1, json.dumps(envelope).encode()))

    def wait_for_ack(self, envelope_id: str, timeout: float = 10) -> dict:
        with self._cond:
            found = lambda: next((m for m in self.received if m.get("envelope_id") == envelope_id), None)  # noqa: E731
            if not self._cond.wait_for(lambda: found() is not None, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id}; received {self.received}")
            return found()
