"""A local stand-in for Twilio's Messages API, and Twilio's side of the reply webhook.

`FakeTwilio` listens on loopback and checks each request the way Twilio would: the path names
the account (`/2010-04-01/Accounts/{sid}/Messages.json`), Basic auth is the account SID and
auth token, the body is form-encoded with `To`, `From` and `Body`. A request of any other
shape is answered 400 (code 21601, made up here: "not what Twilio reads") and kept in
`refused`. Well-formed ones are answered from a script: `"sent"` (201 with a message
resource, the default), `429` (code 20429), or `"stopped"` (400 with code 21610: the number
replied STOP).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from app.lib.twilio_signature import twilio_signature
from tests.support.loopback_http import LoopbackServer, QuietHandler
from tests.support.peers import free_port

SID = "AC" + "0" * 31 + "1"
TOKEN = "test-auth-token-0123456789abcdef"
FROM = "+15005550006"


@dataclass
class Sent:
    to: str
    sender: str
    body: str


@dataclass
class FakeTwilio:
    port: int = field(default_factory=free_port)
    script: list[str | int] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self) -> dict[str, Any]:
        """The settings that point the app at this peer."""
        return {
            "twilio_account_sid": SID,
            "twilio_auth_token": TOKEN,
            "twilio_from": FROM,
            "twilio_base_url": self.base_url,
            "sms_per_second": 1000.0,
        }

    def _problem(self, path: str, headers: dict[str, str], form: dict[str, list[str]]) -> str:
        if path != f"/2010-04-01/Accounts/{SID}/Messages.json":
            return f"wrong path {path}"
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        if headers.get("authorization") != expected:
            return "wrong or missing Basic auth"
        if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return f"not form-encoded: {headers.get('content-type')}"
        for name in ("To", "From", "Body"):
            if len(form.get(name, [])) != 1:
                return f"no single {name} field"
        if not form["To"][0].startswith("+"):
            return f"To is not E.164: {form['To'][0]}"
        return ""

    def start(self) -> None:
        peer = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length).decode()
                form = parse_qs(raw, keep_blank_values=True)
                headers = {k.lower(): v for k, v in self.headers.items()}
                problem = peer._problem(self.path, headers, form)
                if problem:
                    peer.refused.append(problem)
                    self._answer(400, {"code": 21601, "message": problem, "status": 400})
                    return
                answer = peer.script.pop(0) if peer.script else "sent"
                if answer == 429:
                    self._answer(429, {"code": 20429, "message": "Too Many Requests"})
                    return
                if answer == "stopped":
                    message = "Attempt to send to unsubscribed recipient"
                    self._answer(400, {"code": 21610, "message": message, "status": 400})
                    return
                peer.sent.append(Sent(form["To"][0], form["From"][0], form["Body"][0]))
                sid = f"SM{len(peer.sent):032d}"
                self._answer(201, {"sid": sid, "status": "queued", "to": form["To"][0]})

            def _answer(self, status: int, data: dict[str, Any]) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = LoopbackServer(self.port, Handler)

    def stop(self) -> None:
        self._server.stop()


def signed_reply(url: str, fields: dict[str, str], token: str = TOKEN) -> dict[str, str]:
    """The header Twilio signs a reply's POST to `url` with."""
    return {"X-Twilio-Signature": twilio_signature(token, url, list(fields.items()))}
