"""A shared SPARQL server: a real Oxigraph server on loopback, pushed to, queried, pushed to again; kg impact,
deps, show and query answer from it as from the local build; credentials never from the command line."""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg import api
from kg.cli import main
from kg.endpoint import Client, store_url_for
from kg.errors import UsageError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str:
    """The `oxigraph` server from the package of that name (installed by the test extra), or a skip."""
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).is_file():
        pytest.skip("no oxigraph server: `pip install oxigraph` (the test extra installs it)")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1, its query URL; stopped after the module."""
    binary = oxigraph_binary()
    port = _free_port()
    data = tmp_path_factory.mktemp("oxigraph")
    proc = subprocess.Popen([binary, "serve", "--location", str(data), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph serve stopped: {proc.stderr.read().decode() if proc.stderr else ''}")
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph serve did not listen within 30 s")
    yield url
    proc.terminate()
    proc.wait(10)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_push_then_every_question_answers_as_from_the_local_build(server: str, corpus_graph_dir: Path) -> None:
    code, out, err = run("push", "--endpoint", server, "--graph-dir", str(corpus_graph_dir), "--format", "json")
    assert code == 0, err
    pushed = json.loads(out)
    assert pushed["store"] == server.replace("/query", "/store") and pushed["triples"] > 10_000
    local = ["--graph-dir", str(corpus_graph_dir)]
    remote = ["--endpoint", server]
    for args in (["impact", "Redpanda"], ["impact", "MinIO", "--kind", "all"], ["deps", "Grafana"],
                 ["show", "MinIO"], ["show", "ADR-026"], ["query", "dependents", "-p", "component=MinIO"],
                 ["query", "adrs-for", "-p", "component=Redpanda"], ["query", "components-without-adr"]):
        here = run(*args, "--format", "json", *local)
        there = run(*args, "--format", "json", *remote)
        assert here[0] == there[0] == 0, (args, here[2], there[2])
        mine, theirs = json.loads(here[1]), json.loads(there[1])
        if isinstance(mine, dict) and "graph" in mine:
            assert theirs["graph"]["path"] == server and theirs["graph"]["sources"] == mine["graph"]["sources"]
            mine.pop("graph"), theirs.pop("graph")
        assert theirs == mine, args
    for args in (["impact", "Redpanda"], ["show", "MinIO"]):  # the text output for people, too
        assert run(*args, *remote)[1] == run(*args, *local)[1]


def test_a_second_push_replaces_the_graph(server: str, tmp_path: Path, make_workspace: Any) -> None:
    graph = "https://example.org/graphs/shop"
    first = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    directory = tmp_path / ".kg"
    api.build_graph([str(first)], directory)
    assert run("push", "--endpoint", server, "--graph", graph, "--graph-dir", str(directory))[0] == 0
    assert "Orders API" in run("impact", "Redpanda", "--endpoint", server, "--graph", graph)[1]
    (first / "shop" / "README.md").write_text("# Shop\n\n| Service | Depends on |\n|---|---|\n| Billing | Kafka |\n",
                                              encoding="utf-8")
    api.build_graph([str(first)], directory)
    assert run("push", "--endpoint", server, "--graph", graph, "--graph-dir", str(directory))[0] == 0
    code, _, err = run("impact", "Redpanda", "--endpoint", server, "--graph", graph)
    assert code == 2 and "no entity named Redpanda" in err, "the old graph is gone, not merged"
    assert "Billing" in run("impact", "Kafka", "--endpoint", server, "--graph", graph)[1]
    count = run("query", "SELECT (COUNT(*) AS ?n) WHERE { ?c a kg:Component }", "--format", "json",
                "--endpoint", server, "--graph", graph)[1]
    assert json.loads(count)["results"]["bindings"][0]["n"]["value"] == "2"
    code, _, err = run("impact", "Kafka", "--endpoint", server, "--graph", "https://example.org/graphs/none")
    assert code == 1 and "holds no kg graph" in err


def test_the_store_refusals_hold_against_an_endpoint(server: str, tmp_path: Path, make_workspace: Any) -> None:
    # a graph of its own, so that the syntax error is the server's answer whichever tests ran before
    graph = "https://example.org/graphs/refusals"
    docs = make_workspace({"shop/README.md": "# Shop\n\n| Service | Depends on |\n|---|---|\n| Orders API | Redpanda |\n"})
    api.build_graph([str(docs)], tmp_path / ".kg")
    assert run("push", "--endpoint", server, "--graph", graph, "--graph-dir", str(tmp_path / ".kg"))[0] == 0
    for text, word in (("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
                       ("SELECT * FROM <http://127.0.0.1:9/x> WHERE { ?s ?p ?o }", "FROM"),
                       ("DROP ALL", "Update")):
        code, _, err = run("query", text, "--endpoint", server)
        assert code == 2 and word in err and "refused" in err
    code, _, err = run("query", "SELECT ?s WHERE {\n ?s kg:nope }", "--endpoint", server, "--graph", graph)
    assert code == 2 and "syntax error at line 2" in err


def test_credentials_come_from_the_environment_or_netrc_never_argv(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="never on the command line"):
        Client("http://alice:secret@127.0.0.1:9/query")
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - the http.server API
            seen.append(self.headers.get("Authorization", ""))
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(401 if not seen[-1] else 204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/query"
    try:
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login bob password hunter2\n", encoding="utf-8")
        os.chmod(netrc, 0o600)
        client = Client(url)
        for env, expected in (({"KG_ENDPOINT_TOKEN": "t0k"}, "Bearer t0k"),
                              ({"KG_ENDPOINT_USER": "amy", "KG_ENDPOINT_PASSWORD": "pw"},
                               "Basic " + base64.b64encode(b"amy:pw").decode()),
                              ({"NETRC": str(netrc)}, "Basic " + base64.b64encode(b"bob:hunter2").decode())):
            with pytest.MonkeyPatch.context() as mp:
                for k in list(os.environ):
                    if k.startswith("KG_ENDPOINT") or k == "NETRC":
                        mp.delenv(k)
                for k, v in env.items():
                    mp.setenv(k, v)
                client.put_graph("urn:g", b"")
            assert seen[-1] == expected
        with pytest.MonkeyPatch.context() as mp:  # no credentials at all: the server's refusal, said in one line
            mp.setenv("NETRC", str(tmp_path / "missing"))
            for k in list(os.environ):
                if k.startswith("KG_ENDPOINT"):
                    mp.delenv(k)
            from kg.endpoint import EndpointError

            with pytest.raises(EndpointError, match="refused the request"):
                client.put_graph("urn:g", b"")
    finally:
        httpd.shutdown()


def test_the_graph_store_beside_each_kind_of_server() -> None:
    assert store_url_for("http://h:7878/query") == "http://h:7878/store"
    assert store_url_for("http://h:3030/ds/query") == "http://h:3030/ds/data"
    assert store_url_for("http://h:3030/ds/sparql") == "http://h:3030/ds/data"
    assert store_url_for("http://h:7200/repositories/kg") == "http://h:7200/repositories/kg/rdf-graphs/service"


def test_an_unreachable_endpoint_is_a_one_line_error() -> None:
    port = _free_port()
    code, out, err = run("impact", "Redpanda", "--endpoint", f"http://127.0.0.1:{port}/query")
    assert code == 1 and out == "" and err.startswith("kg: cannot reach") and err.count("\n") == 1
