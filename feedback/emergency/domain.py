"""What the emergency line brings to the app (walked by service/domains.py)."""

from __future__ import annotations

from service.domains import Domain


def include(domain: Domain) -> None:
    from feedback.emergency import jobs
    from feedback.emergency.demo import load_calls
    from feedback.emergency.evidence import EmergencyEvidence
    from feedback.emergency.routes import register
    from feedback.emergency.still_no_heat import install

    domain.templates = "emergency"
    domain.add_routes(register)
    domain.add_routes(install)
    domain.add_job(jobs.reconcile, trigger="interval", minutes=5)
    domain.add_job(jobs.purge_recordings, trigger="interval", hours=6)
    domain.evidence = EmergencyEvidence()
    domain.demo = load_calls
    _include_retention(domain)


def _include_retention(domain: Domain) -> None:
    from feedback.emergency import retention
    from service.retention import PersonalData, RecordRetention

    domain.retention.append(RecordRetention(retention.RECORD_TYPE, retention.expire_calls))
    domain.personal_data.append(
        PersonalData("emergency_calls", retention.find_calls, retention.erase_calls)
    )
