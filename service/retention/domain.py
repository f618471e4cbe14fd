"""What personal data over time brings: the nightly retention job, legal holds and
data-subject requests as commands."""

from __future__ import annotations

from service.domains import Domain


def include(domain: Domain) -> None:
    from service.retention import PersonalData, RecordRetention, models  # noqa: F401
    from service.retention.cli import retention_group, subject_group
    from service.retention.job import run_retention

    domain.add_job(run_retention, trigger="cron", hour=2, minute=30)
    domain.add_command(retention_group)
    domain.add_command(subject_group)
    # The shell's e-mail outbox (service/mail) is let go here, with the rest of the shell's.
    from service.mail import retention as mail

    domain.retention.append(RecordRetention("email_message", mail.expire_emails))
    domain.personal_data.append(PersonalData("email_messages", mail.find_emails, mail.erase_emails))
