"""What the caller hears: TwiML built with the SDK's VoiceResponse, in the language of the number
they called (FAIRHEAT_VOICE_NUMBERS), with the Say voices' language codes."""

from __future__ import annotations

import functools

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service.settings import current_settings

SAY_LANGUAGES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB", "pl": "pl-PL"}
DIAL_PATH = "/twilio/voice/dial"
RECORDING_PATH = "/twilio/voice/recording"


def caller_language(called_number: str | None) -> str:
    settings = current_settings()
    language = settings.emergency.voice_numbers.get(called_number or "")
    if language:
        return language
    return settings.default_language if settings.default_language in SAY_LANGUAGES else "en"


def _say(response: VoiceResponse, text: str, language: str) -> None:
    response.say(text, language=SAY_LANGUAGES[language])


def _dial(response: VoiceResponse, number: str, attempt: int) -> None:
    settings = current_settings()
    options: dict[str, object] = {
        "timeout": settings.emergency.dial_timeout_seconds,
        "action": f"{settings.public_base_url}{DIAL_PATH}?attempt={attempt}",
        "method": "POST",
    }
    if settings.emergency.recording:
        # <Dial record> records both parties (REGULATION.md); only the id and length are kept.
        options["record"] = "record-from-answer-dual"
        options["recording_status_callback"] = f"{settings.public_base_url}{RECORDING_PATH}"
        options["recording_status_callback_event"] = "completed"
    dial = response.dial(**options)
    dial.number(number)


def greeting(language: str, active_outages: int | None, number: str | None) -> str:
    """The TwiML answering an incoming call: greeting, interruptions, the recording notice when
    recording is on, then the dial to the person on duty (or the callback promise).

    The same inputs give the same document, so each process keeps the last few it built: in a
    storm of calls they are all the same one."""
    settings = current_settings()
    emergency = settings.emergency
    return _greeting(
        language,
        active_outages,
        number,
        settings.utility_name,
        settings.public_base_url,
        emergency.recording,
        emergency.dial_timeout_seconds,
    )


@functools.lru_cache(maxsize=64)
def _greeting(
    language: str,
    active_outages: int | None,
    number: str | None,
    utility: str,
    base_url: str,
    recording: bool,
    timeout: int,
) -> str:
    settings = current_settings()
    response = VoiceResponse()
    with force_locale(language):
        _say(
            response,
            _(
                "You have reached the district heating emergency line of %(utility)s.",
                utility=settings.utility_name,
            ),
            language,
        )
        if active_outages is not None:
            if active_outages:
                text = ngettext(
                    "There is %(num)d interruption of heat supply right now.",
                    "There are %(num)d interruptions of heat supply right now.",
                    active_outages,
                )
            else:
                text = _("There are no known interruptions of heat supply right now.")
            _say(response, text + " " + _("Details are on our website."), language)
        if settings.emergency.recording:
            _say(
                response,
                _(
                    "This call is recorded to handle your report. %(utility)s is the controller "
                    "of the recording; you will find how we use it and your rights on our "
                    "website.",
                    utility=settings.utility_name,
                ),
                language,
            )
        if number:
            _say(response, _("Connecting you to the person on duty."), language)
            _dial(response, number, 1)
        else:
            _say(response, callback_promise(), language)
            response.hangup()
    return str(response)


def callback_promise() -> str:
    return _("Nobody can answer right now. We will call you back as soon as we can.")


def second_dial(language: str, number: str) -> str:
    response = VoiceResponse()
    _dial(response, number, 2)
    return str(response)


def nobody_answered(language: str) -> str:
    response = VoiceResponse()
    with force_locale(language):
        _say(response, callback_promise(), language)
    response.hangup()
    return str(response)


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


def fallback_twiml(duty_number: str, language: str = "en") -> str:
    """The static TwiML for Twilio's Voice fallback URL (docs/deployment.md): dial the duty
    number without anything of ours."""
    response = VoiceResponse()
    response.dial(duty_number, timeout=current_settings().emergency.dial_timeout_seconds)
    return str(response)
