#!/usr/bin/python3
"""A loopback HTTP registry whose answers the test can stop: it serves FILE to every request
while HANG_FLAG does not exist; while it does, it accepts connections and never answers (the
socket stays open), which is a registry that hangs past every timeout.

usage: registry-server.py PORT FILE HANG_FLAG
"""
import os
import socket
import sys
import threading


def serve(conn: socket.socket, body_path: str, hang_flag: str) -> None:
    with conn:
        conn.settimeout(30)
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        if os.path.exists(hang_flag):
            conn.settimeout(None)
            while conn.recv(4096):
                pass
            return
        with open(body_path, "rb") as f:
            body = f.read()
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
        conn.sendall(head.encode("ascii") + body)


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    port, body_path, hang_flag = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, body_path, hang_flag), daemon=True).start()


if __name__ == "__main__":
    main()
