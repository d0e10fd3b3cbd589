"""The address `tidings serve` listens on, checked before the server starts.

granian binds with SO_REUSEPORT, so a second server on a port already in use would start
and share it with the first (requests alternating between two different sites). Binding
here first, without SO_REUSEPORT, finds the port taken and says so in one line.
"""

from __future__ import annotations

import errno
import ipaddress
import socket


class AddressProblem(Exception):
    """The host or port cannot be served; the message is one line saying what to do."""


def check_host(host: str) -> str:
    """The host as an IP address granian accepts; AddressProblem for a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        raise AddressProblem(
            f"--host takes an IP address, not a name ({host!r}): use --host 127.0.0.1 for "
            "this machine only, or --host 0.0.0.0 for every address it has"
        ) from None


def claim_port(host: str, port: int) -> socket.socket:
    """A socket that keeps `port` from other servers while this one runs; AddressProblem
    when another process listens on it (or it cannot be bound).

    The returned socket is bound with SO_REUSEPORT and never listens: granian's own sockets
    (same user, SO_REUSEPORT) may bind beside it, while another `tidings serve` checking the
    port just now (without SO_REUSEPORT) is refused, even before granian has bound."""
    family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    _check_free(family, host, port)
    held = socket.socket(family, socket.SOCK_STREAM)
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        held.bind((host, port))
    except OSError:
        held.close()
        _check_free(family, host, port)  # taken in the meantime: say so
        raise
    return held


def _check_free(family: socket.AddressFamily, host: str, port: int) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR only lets a port whose last connections still linger in TIME_WAIT be
        # used again (a restart); a port some process listens on still refuses the bind.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise AddressProblem(
                    f"port {port} is in use: another server listens there; stop it, or "
                    "choose another with --port"
                ) from None
            if exc.errno == errno.EACCES:
                raise AddressProblem(
                    f"port {port} needs more privileges to listen on; choose one above 1023 "
                    "with --port"
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise AddressProblem(
                    f"--host {host} is not an address of this machine; use one it has, "
                    "127.0.0.1 or 0.0.0.0"
                ) from None
            raise AddressProblem(f"cannot listen on {host} port {port}: {exc.strerror}") from None
