"""One list of domains: adding a capability is one entry in service/domains.py, and the shell
imports no domain except through that list."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from service import domains
from service.app import create_app
from service.domains import DOMAINS, domains_of, load_domains
from service.evidence import Period
from service.scheduler import build_scheduler
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_PACKAGES = {"notifications", "feedback"}
# The composition root allowed to name a domain (ARCHITECTURE.md): the list itself. The
# compliance export (service/compliance/) reads every domain, but only through load_domains()
# and each domain's `evidence`: it is held to the same rule, imports included.
ALLOWED = {ROOT / "service" / "domains.py"}
COMPLIANCE = ROOT / "service" / "compliance"


@pytest.fixture
def with_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domains, "DOMAINS", (*DOMAINS, "tests.support.sample_domain"))


def test_one_entry_plugs_in_routes_jobs_workers_commands_and_evidence(with_sample, tmp_path):
    app = create_app(
        {"FAIRHEAT": make_settings(tmp_path, FAIRHEAT_DATABASE_URL="sqlite://"), "TESTING": True}
    )
    assert app.test_client().get("/sample/").get_data(as_text=True) == "sample page"
    job_ids = {job.id for job in build_scheduler(app).get_jobs()}
    assert "tests.support.sample_domain.domain.tidy_up" in job_ids
    assert "notifications.jobs.send_reminders" in job_ids  # the real domains are still there
    sample = domains_of(app)[-1]
    assert [w.__name__ for w in sample.workers] == ["keep_watch"]
    result = app.test_cli_runner().invoke(args=["sample-hello"])
    assert result.output == "hello from the sample capability\n"
    assert sample.evidence is not None
    figures = sample.evidence.figures(Period.parse("2026-02"))
    assert [(f.id, f.value) for f in figures] == [("sample.days", 28)]


def test_every_domain_brings_its_jobs_and_evidence():
    loaded = {d.name: d for d in load_domains()}
    assert list(loaded) == list(DOMAINS)
    assert loaded["notifications"].workers, "the SMS dispatcher runs in every worker"
    assert {d.name for d in loaded.values() if d.evidence is not None} >= DOMAIN_PACKAGES
    assert all(d.jobs for d in loaded.values())


def test_two_parts_cannot_share_a_template_namespace(monkeypatch):
    monkeypatch.setattr(domains, "DOMAINS", ("notifications", "notifications"))
    with pytest.raises(RuntimeError, match="both claim templates/notifications/"):
        load_domains()


@pytest.mark.parametrize("domain", load_domains(), ids=lambda d: d.name)
def test_each_part_keeps_its_templates_in_its_own_namespace(domain):
    folder = ROOT.joinpath(*domain.name.split(".")) / "templates"
    if domain.templates is None:
        # A part without pages (the retention job and its commands) has no templates at all.
        assert not domain.routes and not folder.exists()
        return
    assert sorted(p.name for p in folder.iterdir()) == [domain.templates]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_shell_imports_no_domain_but_through_the_list():
    offenders = []
    for path in sorted((ROOT / "service").rglob("*.py")):
        if path in ALLOWED or "versions" in path.parts:
            continue
        for module in _imported_modules(path):
            if module.split(".")[0] in DOMAIN_PACKAGES:
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_compliance_export_reads_the_domains_through_the_list_only():
    readers = []
    for path in sorted(COMPLIANCE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        names = {
            node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
        }
        if "load_domains" in names:
            readers.append(path.name)
        assert "import_module" not in names, path  # no reaching round the list
    assert readers == ["bundle.py"]
