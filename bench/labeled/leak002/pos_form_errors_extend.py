# Leaks: validation errors from every submitted form are extended onto a module-level list for "diagnostics" and never cleared.
from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

VALIDATION_ERRORS: list[str] = []  # expect: LEAK002


class ContactForm(forms.Form):
    email = forms.EmailField()
    message = forms.CharField(max_length=2000)


def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return redirect("contact-thanks")
        VALIDATION_ERRORS.extend(
            f"{field}: {msg}" for field, msgs in form.errors.items() for msg in msgs
        )
    return render(request, "contact.html", {"form": form})
