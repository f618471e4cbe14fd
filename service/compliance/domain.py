"""What the compliance export brings: the audit chaining job, checkpoints, bundles made in the
background and on a schedule, its staff and public pages and its commands."""

from __future__ import annotations

from flask import Flask

from service.domains import Domain


def _register_routes(app: Flask) -> None:
    from service.compliance.routes import register

    register(app)


def include(domain: Domain) -> None:
    from service.compliance import jobs
    from service.compliance.cli import compliance_group
    from service.compliance.demo import load_declarations

    domain.templates = "compliance"
    domain.add_routes(_register_routes)
    # The audit log's entries are chained within seconds of their commit (decision 0010).
    domain.add_job(jobs.chain_audit_log, trigger="interval", seconds=3)
    domain.add_job(jobs.make_requested_bundles, trigger="interval", seconds=5)
    domain.add_job(jobs.make_scheduled_bundles, trigger="interval", minutes=15)
    domain.add_command(compliance_group)
    domain.demo = load_declarations
