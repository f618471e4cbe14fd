"""Reply templates: the answers customer service starts from, per language (leads keep them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.models import ReplyTemplate
from service import audit
from service.errors import NotFound, ValidationFailed
from service.extensions import db


def create_template(data: Mapping[str, Any]) -> ReplyTemplate:
    exists = db.session.scalar(
        sa.select(ReplyTemplate.id).where(
            ReplyTemplate.language == data["language"], ReplyTemplate.title == data["title"]
        )
    )
    if exists is not None:
        raise ValidationFailed({"title": [_("A template with this title exists already.")]})
    template = ReplyTemplate(language=data["language"], title=data["title"], body=data["body"])
    db.session.add(template)
    db.session.flush()
    audit.record("reply_template.created", "reply_template", template.id, after=dict(data))
    db.session.commit()
    return template


def delete_template(template_id: int) -> None:
    template = db.session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound()
    audit.record(
        "reply_template.deleted",
        "reply_template",
        template_id,
        before={"title": template.title, "language": template.language},
    )
    db.session.delete(template)
    db.session.commit()
