"""Bounces and complaints reported by mail providers (Amazon SES through SNS, Postmark,
Mailgun) and by a self-run mail server's delivery status notifications, turned into the
quarantine of the addresses concerned (`app.subscribers.quarantine`)."""
