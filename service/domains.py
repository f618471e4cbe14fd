"""The one list of what the app is made of, and what each part brings to it.

Like warehouse's `config.include(...)`: each part has a `domain.py` whose `include(domain)` says,
in one function, what it brings — its routes, scheduled jobs, long-running workers, CLI
commands, demo data, evidence for the compliance export and its templates' namespace. The shell
(service/app.py, service/scheduler.py, service/cli.py, service/demo.py) walks DOMAINS and
imports no domain otherwise. Adding a capability is one entry here (plus its migration and its
place in babel.cfg and pyproject.toml).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    import click

    from service.evidence import EvidenceProvider
    from service.retention.hooks import PersonalData, RecordRetention

# In order: routes are registered, jobs scheduled and demo data loaded in this order. The shell's
# e-mail channel plugs in the same way as the domains do.
DOMAINS: tuple[str, ...] = (
    "notifications",
    "notifications.customers",
    "feedback",
    "feedback.emergency",
    "service.mail",
    "feedback.connection_requests",  # issue 11: connection requests (Ciepło Systemowe A5)
    "service.retention",  # the nightly retention job, legal holds, data-subject requests
    "service.compliance",  # last: it reads every other part's evidence
)

Job = tuple[Callable[[], Any], dict[str, Any]]  # (function, APScheduler trigger arguments)
Worker = Callable[[Flask, threading.Event], None]  # runs until the event is set
DemoLoader = Callable[[bool], str]  # (only_if_empty) loads demo data; says what in one line


@dataclass
class Domain:
    """What one part brings; filled in by its `include(domain)`."""

    name: str
    routes: list[Callable[[Flask], None]] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    commands: list[click.Command] = field(default_factory=list)
    demo: DemoLoader | None = None
    evidence: EvidenceProvider | None = None
    # Personal data over time (service/retention/hooks.py): what the nightly retention job
    # expires, and what a data-subject request finds and erases.
    retention: list[RecordRetention] = field(default_factory=list)
    personal_data: list[PersonalData] = field(default_factory=list)
    # The folder every template of the part lives under ("feedback/…"): no two parts share one.
    templates: str | None = None

    def add_routes(self, register: Callable[[Flask], None]) -> None:
        """`register(app)` adds the part's blueprints, API and Jinja globals to an app."""
        self.routes.append(register)

    def add_job(self, func: Callable[[], Any], **trigger: Any) -> None:
        """A job for the one leading scheduler, e.g. add_job(f, trigger="interval", minutes=5)."""
        self.jobs.append((func, trigger))

    def add_worker(self, worker: Worker) -> None:
        """A long-running worker started in every `fairheat worker` process."""
        self.workers.append(worker)

    def add_command(self, command: click.Command) -> None:
        """A `fairheat …` command (a click command or group)."""
        self.commands.append(command)


def load_domains(names: tuple[str, ...] | None = None) -> list[Domain]:
    """Import each part's `domain` module (of DOMAINS unless named) and let it describe itself."""
    domains = []
    for name in DOMAINS if names is None else names:
        domain = Domain(name=name)
        importlib.import_module(f"{name}.domain").include(domain)
        domains.append(domain)
    taken: dict[str, str] = {}
    for domain in domains:
        if domain.templates is None:
            continue
        if domain.templates in taken:
            raise RuntimeError(
                f"{domain.name} and {taken[domain.templates]} both claim templates/"
                f"{domain.templates}/"
            )
        taken[domain.templates] = domain.name
    return domains


def register_domains(app: Flask) -> None:
    """Add every part's routes and commands to the app; keep the list for the scheduler."""
    domains = load_domains()
    app.extensions["fairheat_domains"] = domains
    for domain in domains:
        for register in domain.routes:
            register(app)
        for command in domain.commands:
            app.cli.add_command(command)


def domains_of(app: Flask) -> list[Domain]:
    """The parts an app was built from (register_domains ran in create_app)."""
    domains: list[Domain] = app.extensions["fairheat_domains"]
    return domains
