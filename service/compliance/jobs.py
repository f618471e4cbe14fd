"""The compliance part's scheduled jobs (service/compliance/domain.py)."""

from __future__ import annotations


def chain_audit_log() -> None:
    """Chain the audit entries written since the last run, then checkpoint when due."""
    from service.compliance.checkpoints import make_checkpoint

    make_checkpoint()


def make_requested_bundles() -> None:
    """Make the bundles asked for on the staff page, one after another."""
    from service.compliance.runs import run_queued

    run_queued()


def make_scheduled_bundles() -> None:
    """When FAIRHEAT_COMPLIANCE_SCHEDULE has fired since the last scheduled bundle, make one."""
    from service.compliance.runs import run_scheduled

    run_scheduled()
