"""The scale-out shape for real: two app processes (`python wsgi.py`) sharing PostgreSQL and
Redis. Sessions, rate limits and Socket.IO rooms must work across them.
"""

from __future__ import annotations

import re
import threading

import pytest
import requests
import socketio
from flask_socketio import SocketIO

from tests.factories import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def login(base_url: str, email: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    session.post(
        f"{base_url}/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        timeout=10,
        allow_redirects=False,
    )
    return session


def get_with_cookie(url: str, cookie: str) -> int:
    with requests.Session() as other:
        return other.get(
            url, cookies={"session": cookie}, timeout=10, allow_redirects=False
        ).status_code


def test_a_session_started_on_one_process_works_and_ends_on_the_other(cluster):
    a, b = cluster.servers
    with login(b.url, cluster.new_member().email) as session:
        cookie = session.cookies.get("session")
        assert cookie
        assert get_with_cookie(f"{a.url}/settings", cookie) == 200
        page = session.get(f"{b.url}/settings", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        session.post(f"{b.url}/auth/logout", data={"csrf_token": token}, timeout=10)
    assert get_with_cookie(f"{a.url}/settings", cookie) == 302


def test_failed_logins_count_across_processes_in_redis(cluster):
    a, b = cluster.servers
    email = cluster.new_member().email
    statuses = []
    for attempt in range(11):
        server = (a, b)[attempt % 2]
        with requests.Session() as session:
            page = session.get(f"{server.url}/auth/login", timeout=10).text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            response = session.post(
                f"{server.url}/auth/login",
                data={"email": email, "password": "not the password", "csrf_token": token},
                timeout=10,
                allow_redirects=False,
            )
            statuses.append(response.status_code)
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_an_emit_through_redis_reaches_a_socket_on_another_process(cluster, redis_server):
    a, b = cluster.servers
    member = cluster.new_member()
    with login(b.url, member.email) as session:
        home = session.get(f"{b.url}/", timeout=10).text
        cookie = session.cookies.get("session")
    user_id = int(re.search(r'href="/members/(\d+)"', home).group(1))
    assert user_id == member.id
    received = threading.Event()
    payloads = []
    http = requests.Session()
    client = socketio.Client(reconnection=False, http_session=http)

    @client.on("notification:new")
    def on_notification(data):
        payloads.append(data)
        received.set()

    client.connect(a.url, headers={"Cookie": f"session={cookie}"}, wait_timeout=10)
    external = SocketIO(message_queue=redis_server.url)
    try:
        # An emit from outside any web process, as a worker or the other process would do it.
        external.emit("notification:new", {"kind": "test"}, to=f"user:{user_id}")
        assert received.wait(10), "the event did not arrive through Redis"
        assert payloads == [{"kind": "test"}]
    finally:
        client.disconnect()
        http.close()
        external.server.manager.redis.close()


def test_anonymous_sockets_are_refused_by_every_process(cluster):
    for server in cluster.servers:
        with requests.Session() as http:
            client = socketio.Client(reconnection=False, http_session=http)
            with pytest.raises(socketio.exceptions.ConnectionError):
                client.connect(server.url, wait_timeout=5)
