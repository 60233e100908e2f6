# Leaks: server.quit() is skipped whenever login or send raises, leaving the SMTP connection open.
import smtplib
from email.message import EmailMessage

from django.conf import settings


def send_password_reset(to_addr: str, link: str) -> None:
    msg = EmailMessage()
    msg["Subject"] = "Reset your password"
    msg["From"] = settings.DEFAULT_FROM_EMAIL
    msg["To"] = to_addr
    msg.set_content(f"Use this link to reset your password: {link}")

    server = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=10)  # expect: LEAK004
    server.starttls()
    server.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
    server.send_message(msg)
    server.quit()
