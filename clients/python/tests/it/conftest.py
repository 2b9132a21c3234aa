import base64
import json
import os
import time
import urllib.error
import urllib.request

import pytest


class Stack:
    """The running stack's addresses (PROMPTLOOP_IT_*, set by the Java ClientsIT from the dev stack's banner)."""

    def __init__(self):
        missing = [k for k in ("BOOTSTRAP", "REGISTRY", "INGEST_URL", "OPTIMIZER_URL", "ABTEST_URL", "PASSWORD")
                   if f"PROMPTLOOP_IT_{k}" not in os.environ]
        if missing:
            raise RuntimeError(f"PROMPTLOOP_IT_{missing[0]} is not set: run through module clients (ClientsIT)")
        env = os.environ
        self.bootstrap = env["PROMPTLOOP_IT_BOOTSTRAP"]
        self.registry = env["PROMPTLOOP_IT_REGISTRY"]
        self.ingest = env["PROMPTLOOP_IT_INGEST_URL"]
        self.optimizer = env["PROMPTLOOP_IT_OPTIMIZER_URL"]
        self.abtest = env["PROMPTLOOP_IT_ABTEST_URL"]
        self.session_id = env.get("PROMPTLOOP_IT_SESSION_ID")
        token = base64.b64encode(f"{env.get('PROMPTLOOP_IT_USER', 'admin')}:{env['PROMPTLOOP_IT_PASSWORD']}".encode())
        self._auth = "Basic " + token.decode()

    def call(self, method, url, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": self._auth, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")


def eventually(what, probe, timeout=120.0, interval=0.5):
    """Polls ``probe`` until it returns something truthy; fails naming ``what`` and the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s (last: {last!r})")


@pytest.fixture(scope="session")
def stack():
    return Stack()
