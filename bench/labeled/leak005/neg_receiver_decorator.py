# Not a leak: @receiver connects the module-level function once when the signals module is imported.
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Invoice  # type: ignore
from .tasks import send_invoice_email  # type: ignore


@receiver(post_save, sender=Invoice, dispatch_uid="invoice-email-on-create")
def email_new_invoice(sender, instance: Invoice, created: bool, **kwargs) -> None:
    if created and instance.customer_email:
        send_invoice_email.delay(instance.pk)
