"""What the feedback domain brings to the app (walked by service/domains.py)."""

from __future__ import annotations

from service.domains import Domain


def include(domain: Domain) -> None:
    from feedback import jobs
    from feedback.demo import load_cases
    from feedback.evidence import CaseEvidence
    from feedback.open311.cli import open311_group
    from feedback.routes import register

    domain.templates = "feedback"
    domain.add_routes(register)
    domain.add_job(jobs.escalate_cases, trigger="interval", minutes=5)
    domain.add_job(jobs.deem_accepted, trigger="interval", minutes=15)
    domain.add_command(open311_group)
    domain.evidence = CaseEvidence()
    domain.demo = load_cases
    _include_retention(domain)


def _include_retention(domain: Domain) -> None:
    from feedback import retention
    from service.retention import PersonalData, RecordRetention

    domain.retention.append(RecordRetention(retention.RECORD_TYPE, retention.expire_cases))
    domain.personal_data.append(
        PersonalData("feedback_cases", retention.find_cases, retention.erase_cases)
    )
