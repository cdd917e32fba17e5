"""The Dagster UI and the report in a real browser (headless Debian Chromium through Playwright).

One `dagster dev -w workspace.yaml` on a free 127.0.0.1 port, over a warehouse built beforehand by
the refresh (PERPETUUM_START_DATE=2026-05-01 keeps it small), with DAGSTER_HOME, the warehouse,
logs and reports in the test's temp dir. The browser may reach 127.0.0.1 and local files only:
every other request or WebSocket is aborted and recorded. Screenshots go to the temp dir (the
path is printed). The whole module is bounded by BUDGET_SECONDS, and dagster dev's process group
is killed however the tests end. Skipped, saying why, when /usr/bin/chromium is missing (CI
installs it: .ci/run).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assets.settings import PROJECT_ROOT, Settings
from pipelines.definitions import build_definitions

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BUDGET_SECONDS = 115  # everything: warehouse, dagster dev, browser, shutdown
START_DATE = "2026-05-01"
END_DATE = date(2026, 5, 29)  # one month of the snapshot (it reaches 2026-10) keeps the refresh small
REPORT_KEY = ("report", "perpetuum")
PREFERRED_MART = "mart/revenue_mix"

if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found: the browser test drives Debian's Chromium "
        "(apt-get install chromium; .ci/run installs it in CI)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed (uv sync --frozen)")

# The refresh without the simulation: from 2026-05 on, AMD's history is too short to estimate the
# share-price model (the simulation's assets are still in the graph, just not materialized). If
# the report asset exists and the refresh did not write the report, it is materialized on its own.
PREBUILD = f"""
import os, sys
from pathlib import Path
import dagster as dg
from assets.settings import Settings
from pipelines.definitions import build_definitions
from pipelines.refresh import refresh

settings = Settings.from_env()
instance = dg.DagsterInstance.get()
refresh(settings, instance, simulate=False)
defs = build_definitions(settings)
key = dg.AssetKey({list(REPORT_KEY)!r})
report = Path(os.environ["PERPETUUM_REPORT_DIR"]) / "perpetuum.html"
if key in defs.resolve_asset_graph().get_all_asset_keys() and not report.exists():
    try:
        dg.materialize([defs.get_assets_def(key)], instance=instance, resources=defs.resources, selection=[key])
    except Exception as exc:  # reported by the report test; the UI tests still run
        report.parent.mkdir(parents=True, exist_ok=True)
        (report.parent / "report_error.txt").write_text(f"{{type(exc).__name__}}: {{exc}}")
print("prebuild done")
"""


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self, cap: float | None = None) -> float:
        left = max(0.0, self.end - time.monotonic())
        return min(left, cap) if cap is not None else left


@dataclass
class UI:
    base_url: str
    tmp: Path
    env: dict[str, str]
    groups: list[str]
    mart_key: str
    mart_description: str
    mart_columns: list[str]
    report: Path | None
    deadline: Deadline
    blocked: list[str] = field(default_factory=list)

    def screenshot(self, page, name: str) -> Path:
        path = self.tmp / "screenshots" / f"{name}.png"
        path.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_env(tmp: Path) -> dict[str, str]:
    """The parent environment without any PERPETUUM_* (no live source, no SEC User-Agent), plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PERPETUUM_")}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(name, None)
    home = tmp / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
    env |= {
        "NO_PROXY": "127.0.0.1,localhost",
        "DAGSTER_HOME": str(home),
        "PERPETUUM_WAREHOUSE": str(tmp / "warehouse" / "perpetuum.duckdb"),
        "PERPETUUM_PRICE_SOURCE": "snapshot",
        "PERPETUUM_START_DATE": START_DATE,
        "PERPETUUM_END_DATE": min(date.today(), END_DATE).isoformat(),
        "PERPETUUM_LOG_DIR": str(tmp / "logs"),
        "PERPETUUM_REPORT_DIR": str(tmp / "reports"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return env


def wait_for_webserver(url: str, process: subprocess.Popen, log: Path, deadline: Deadline) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
    while deadline.remaining() > 0:
        if process.poll() is not None:
            pytest.fail(f"dagster dev exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with opener.open(f"{url}/server_info", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"dagster dev did not answer {url}/server_info in time:\n{log.read_text()[-3000:]}")


def stop_process_group(process: subprocess.Popen) -> None:
    """dagster dev and everything it started (webserver, daemon, code server): SIGINT, then SIGKILL."""
    if process.poll() is None:
        for sig, grace in ((signal.SIGINT, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
    try:  # children that outlived the leader (same process group)
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def loopback_or_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("file", "data", "blob", "about") or parsed.hostname == "127.0.0.1"


@pytest.fixture(scope="module")
def ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UI]:
    deadline = Deadline(BUDGET_SECONDS - 10)  # keep 10 s for shutting everything down
    tmp = tmp_path_factory.mktemp("ui")
    env = browser_env(tmp)

    # What to expect comes from the Definitions, built from the same settings.
    settings = Settings.from_env(env)
    graph = build_definitions(settings).resolve_asset_graph()
    keys = {k.to_user_string(): k for k in graph.get_all_asset_keys()}
    groups = sorted({graph.get(k).group_name for k in keys.values()})
    marts = sorted(name for name, k in keys.items() if graph.get(k).group_name == "marts")
    mart_key = PREFERRED_MART if PREFERRED_MART in keys else marts[0]
    mart = graph.get(keys[mart_key])
    schema = mart.metadata["dagster/column_schema"]
    columns = [c.name for c in getattr(schema, "value", schema).columns]
    report = Path(env["PERPETUUM_REPORT_DIR"]) / "perpetuum.html" if "/".join(REPORT_KEY) in keys else None

    started = time.monotonic()
    prebuild = subprocess.run(
        [sys.executable, "-c", PREBUILD], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=deadline.remaining(cap=60),
    )
    assert prebuild.returncode == 0, f"building the warehouse failed:\n{prebuild.stdout[-2000:]}\n{prebuild.stderr[-4000:]}"

    built = time.monotonic()
    port = free_port()
    log = tmp / "dagster_dev.log"
    dagster = Path(sys.executable).with_name("dagster")
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_for_webserver(base_url, process, log, deadline)
        print(f"\nwarehouse built in {built - started:.0f} s, dagster dev answered after {time.monotonic() - built:.0f} s")
        yield UI(base_url, tmp, env, groups, mart_key, mart.description or "", columns, report, deadline)
    finally:
        stop_process_group(process)
        print(f"\nbrowser test artefacts (screenshots, dagster dev log): {tmp}")


@pytest.fixture(scope="module")
def browser(ui: UI):
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                              timeout=ui.deadline.remaining(cap=30) * 1000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(ui: UI, browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, service_workers="block")

    def refuse(route) -> None:
        ui.blocked.append(route.request.url)
        route.abort("blockedbyclient")

    def refuse_socket(ws) -> None:
        ui.blocked.append(ws.url)
        ws.close()

    context.route(lambda url: not loopback_or_local(url), refuse)
    context.route_web_socket(lambda url: not loopback_or_local(url), refuse_socket)
    context.set_default_timeout(max(1.0, ui.deadline.remaining(cap=30)) * 1000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def open_ui(page, ui: UI, path: str) -> None:
    page.goto(ui.base_url + path, wait_until="domcontentloaded")
    skip = page.get_by_role("button", name="Skip")  # the first-visit "Join the Dagster community" dialog
    try:
        skip.click(timeout=3000)
    except sync_api.TimeoutError:
        pass


def test_asset_graph_shows_every_group(ui: UI, page):
    open_ui(page, ui, "/asset-groups")
    graph = page.locator("svg foreignObject")
    try:
        for group in ui.groups:  # each group is a node of the (collapsed) global lineage graph ...
            sync_api.expect(graph.get_by_text(group, exact=True).first).to_be_visible()
        # ... and an entry of the sidebar's tree
        for group in ui.groups:
            sync_api.expect(page.locator("button", has=page.get_by_text(group, exact=True)).first).to_be_visible()
    finally:
        ui.screenshot(page, "asset_graph")
    assert {"market", "registry", "filings", "marts", "simulation"} <= set(ui.groups)


def test_mart_page_shows_description_and_column_schema(ui: UI, page):
    open_ui(page, ui, f"/assets/{ui.mart_key}")
    try:
        sync_api.expect(page.get_by_text("Columns", exact=True).first).to_be_visible()
        words = ui.mart_description.split()
        plain = words[: next((i for i, w in enumerate(words) if set(w) & set("`*_[]<>#")), len(words))]
        opening = " ".join(plain[:10])
        assert len(plain) >= 3, f"{ui.mart_key}: description opens with markup; cannot search it: {ui.mart_description[:80]}"
        sync_api.expect(page.get_by_text(opening).first).to_be_visible()
        for column in ui.mart_columns:
            sync_api.expect(page.get_by_text(column, exact=True).first).to_be_attached()
        # owners and code references (pipelines/definitions.py)
        sync_api.expect(page.get_by_text("Owners", exact=True).first).to_be_visible()
        sync_api.expect(page.get_by_text(f"sql/{ui.mart_key}.sql").first).to_be_visible()
    finally:
        ui.screenshot(page, ui.mart_key.replace("/", "__"))


def test_report_renders_its_charts(ui: UI, page):
    if ui.report is None:
        pytest.skip(f"asset {'/'.join(REPORT_KEY)} is not in the Definitions yet; nothing to render")
    error = ui.report.parent / "report_error.txt"
    assert not error.exists(), f"materializing {'/'.join(REPORT_KEY)} failed: {error.read_text()[:2000]}"
    assert ui.report.is_file(), f"the refresh did not write {ui.report}"
    before = len(ui.blocked)
    page.goto(ui.report.as_uri(), wait_until="load")
    try:
        charts = page.evaluate(
            """() => {
                const imgs = [...document.images].map(i => ({src: i.currentSrc.slice(0, 60), complete: i.complete, width: i.naturalWidth}));
                const svgs = [...document.querySelectorAll('svg')].filter(s => !s.parentElement.closest('svg'))
                    .map(s => s.getBoundingClientRect()).filter(r => r.width > 50 && r.height > 50).length;
                return {imgs, svgs};
            }"""
        )
    finally:
        ui.screenshot(page, "report")
    broken = [i for i in charts["imgs"] if not (i["complete"] and i["width"] > 0)]
    assert not broken, f"images that did not load: {broken}"
    assert len(charts["imgs"]) + charts["svgs"] > 0, "the report shows no chart (no <img>, no inline <svg>)"
    assert ui.blocked[before:] == [], f"the report is not self-contained; it asked for {ui.blocked[before:]}"
