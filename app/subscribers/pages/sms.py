"""Replies to our SMS number: Twilio POSTs each one here (the number's messaging webhook).

No session and no CSRF token: the proof is Twilio's signature over the URL and the form,
keyed by the account's auth token; a request without a valid one is refused with 403 and
changes nothing. The answer is TwiML: empty, or the help text for HELP.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from litestar import Controller, Request, Response, post

from app.lib.errors import InvalidInput
from app.lib.phones import clean_phone
from app.lib.twilio_signature import valid_twilio_signature
from app.subscribers import sms_replies
from app.subscribers.pages.helpers import FORM_BODY_CAP
from app.web.deps import AppSettings, Db

TWIML = "application/xml"
# Twilio sends a few short fields; more than this is no reply of Twilio's.
MAX_FIELDS = 64


class SmsReplyHooks(Controller):
    path = "/hooks/twilio"
    include_in_schema = False

    @post("/sms", status_code=200, request_max_body_size=FORM_BODY_CAP)
    async def reply(self, request: Request, db: Db, settings: AppSettings) -> Response[str]:
        form = await request.form()
        params = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        url = settings.base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        signature = request.headers.get("x-twilio-signature")
        if len(params) > MAX_FIELDS or not valid_twilio_signature(
            settings.twilio_auth_token or "", url, params, signature
        ):
            return Response("the Twilio signature is missing or wrong", status_code=403)
        fields = dict(params)
        answer = None
        try:
            number = clean_phone(fields.get("From"), field="From")
        except InvalidInput:
            number = None  # not a number we could have sent to: nothing to do
        if number is not None:
            answer = await sms_replies.reply(
                db, number=number, body=fields.get("Body", ""), page_name=settings.page_name
            )
        words = f"<Message>{escape(answer)}</Message>" if answer else ""
        return Response(
            f'<?xml version="1.0" encoding="UTF-8"?><Response>{words}</Response>',
            media_type=TWIML,
        )
