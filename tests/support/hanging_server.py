"""A TCP server that accepts connections and never answers: a database that hangs."""

from __future__ import annotations

import socket
import threading

from tests.support.live import free_port


class HangingServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._accepted.append(connection)  # held open, never read or written

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._listener.close()
        for connection in self._accepted:
            connection.close()
