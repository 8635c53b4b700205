"""The join address (dashboards.room.address): phones get the server's network address."""

from __future__ import annotations

import socket

import pytest

from dashboards.room import address


def never(*_args) -> bool:
    raise AssertionError("not asked")


@pytest.mark.parametrize("header", ["localhost:8765", "127.0.0.1:8765", "[::1]:8765"])
def test_a_loopback_host_becomes_the_network_address(header):
    base, problem = address.join_base(header, lan=lambda: "192.168.1.20", check=lambda h, p: True)
    assert (base, problem) == ("http://192.168.1.20:8765", "")


def test_a_network_host_is_kept_as_the_browser_used_it():
    base, problem = address.join_base("10.0.0.5:9000", lan=never, check=never)
    assert (base, problem) == ("http://10.0.0.5:9000", "")
    assert address.join_base("laptop.local", lan=never, check=never)[0] == "http://laptop.local"
    assert address.join_base("", lan=never, check=never) == ("", "")


def test_a_server_listening_on_this_computer_only_is_told_how_to_restart():
    asked = []
    base, problem = address.join_base(
        "localhost:8765", lan=lambda: "192.168.1.20", check=lambda h, p: asked.append((h, p))
    )
    assert asked == [("192.168.1.20", 8765)]
    assert base == "http://192.168.1.20:8765"
    assert "coprod dashboard --host 0.0.0.0 --port 8765" in problem


def test_no_network_address_keeps_the_host_and_says_so():
    base, problem = address.join_base("localhost:8765", lan=lambda: None, check=never)
    assert base == "http://localhost:8765" and "no network address" in problem


def test_the_machines_address_is_not_a_loopback_one():
    found = address.lan_ipv4()
    assert found is None or (not address.is_loopback(found) and found.count(".") == 3)


def test_without_a_route_the_host_name_answers(monkeypatch):
    monkeypatch.setattr(socket, "gethostbyname", lambda name: {"lab-pc": "10.1.2.3"}[name])
    assert address.lan_ipv4(probe=lambda: None, hostname=lambda: "lab-pc") == "10.1.2.3"
    assert address.lan_ipv4(probe=lambda: "127.0.1.1", hostname=lambda: "lab-pc") == "10.1.2.3"
    monkeypatch.setattr(socket, "gethostbyname", lambda name: "127.0.1.1")
    assert address.lan_ipv4(probe=lambda: None, hostname=lambda: "lab-pc") is None

    def fails(name):
        raise socket.gaierror("no such name")

    monkeypatch.setattr(socket, "gethostbyname", fails)
    assert address.lan_ipv4(probe=lambda: None, hostname=lambda: "lab-pc") is None


def test_reachable_tells_a_listening_port_from_a_closed_one():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert address.reachable("127.0.0.1", port)
    assert not address.reachable("127.0.0.1", port)
