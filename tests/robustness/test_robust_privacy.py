"""Nothing leaves the machine: the whole flow works with the network cut, and makes no connection
other than to loopback (no telemetry from Chroma or Hugging Face, no model download)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.robustness.conftest import python_env, write_library

FLOW = textwrap.dedent("""
    import json, pathlib, sys, time
    {prelude}
    from assistant.config import Settings
    from assistant.service import JfpService
    svc = JfpService(Settings())
    rep = svc.ingest([pathlib.Path(sys.argv[1])])
    a = svc.ask("How will partners cut carbon emissions from their buildings?")
    r = svc.requirements("climate_change")
    time.sleep(1.5)  # give any background telemetry thread its chance
    print(json.dumps({{"added": rep.added, "failed": [f.error for f in rep.failed], "abstained": a.abstained,
                      "citations": len(a.citations), "requirements": len(r.requirements),
                      "attempts": globals().get("ATTEMPTS", [])}}))
""")

RECORDER = textwrap.dedent("""
    import ipaddress, socket
    ATTEMPTS = []
    def _outside(host):
        try:
            return not ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return host not in ("localhost", "")
    _connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo
    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and _outside(str(address[0])):
            ATTEMPTS.append(("connect", str(address)))
            raise OSError("blocked by the privacy test")
        return _connect(self, address)
    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and _outside(str(address[0])):
            ATTEMPTS.append(("connect_ex", str(address)))
            return 111
        return _connect_ex(self, address)
    def getaddrinfo(host, *args, **kwargs):
        if host is not None and _outside(host if isinstance(host, str) else host.decode()):
            ATTEMPTS.append(("getaddrinfo", str(host)))
        return _getaddrinfo(host, *args, **kwargs)
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
""")


def _run(tmp_path, prefix: list[str], prelude: str = "") -> dict:
    folder = write_library(tmp_path / "library")
    env = python_env(tmp_path / "index")
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "ANONYMIZED_TELEMETRY"):
        env.pop(key, None)  # the product must set these itself, not rely on the caller's shell
    out = subprocess.run([*prefix, sys.executable, "-c", FLOW.format(prelude=prelude), str(folder)], env=env,
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _unshare_allowed() -> str | None:
    if not shutil.which("unshare"):
        return "the unshare command is not installed"
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"unshare -n is not permitted here ({probe.stderr.strip()})"


@pytest.mark.slow
def test_full_flow_works_with_the_network_cut(tmp_path):
    reason = _unshare_allowed()
    if reason:
        pytest.skip(reason)
    res = _run(tmp_path, ["unshare", "-n"])
    assert res["added"] == 3 and not res["failed"]
    assert not res["abstained"] and res["citations"] >= 1
    assert res["requirements"] >= 1


@pytest.mark.slow
def test_full_flow_attempts_no_connection_beyond_loopback(tmp_path):
    res = _run(tmp_path, [], prelude=RECORDER)
    assert res["added"] == 3 and not res["failed"] and res["citations"] >= 1
    assert res["attempts"] == [], f"connections attempted beyond loopback: {res['attempts']}"


def test_the_connection_recorder_sees_an_outside_connection():
    """The control for the test above: an attempt to reach a documentation address is recorded."""
    probe = RECORDER + textwrap.dedent("""
        try:
            socket.create_connection(("192.0.2.1", 80), timeout=0.2)
        except OSError:
            pass
        print(ATTEMPTS)
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "192.0.2.1" in out.stdout, out.stdout + out.stderr
