"""A real `activecrowds serve` at its edges: what it prints at start and how it stops."""

from __future__ import annotations

import signal
from pathlib import Path

from livetest import free_port, serve

TOKEN = "e2e-token-from-the-environment"


def test_an_environment_token_is_never_printed_and_sigterm_exits_0(tmp_path: Path) -> None:
    # Given a server whose admin token comes from the environment
    env = {"ACTIVECROWDS_DATA_DIR": str(tmp_path), "ACTIVECROWDS_ADMIN_TOKEN": TOKEN}
    proc = serve("edges", env, free_port())
    # Then its start says where the token comes from, and never shows it
    banner = proc.wait_for_line("admin token")
    assert "ACTIVECROWDS_ADMIN_TOKEN" in banner
    assert TOKEN not in "".join(proc.output), banner
    # When it is sent SIGTERM, it shuts down cleanly and exits 0
    proc.stop(signal.SIGTERM)
    proc.wait_for_line("Finished server process")
    assert proc.process.returncode == 0, "".join(proc.output[-20:])
