"""
A second factor for staff (django-otp): a code from an authenticator app (TOTP), with
recovery codes for a lost phone. Anyone on the staff may turn it on; with
ADMIN_REQUIRE_2FA (the default in production mode) an editor publishes only when signed in
with it (workflow.can_publish). `manage.py reset_2fa USERNAME` removes a lost device.
"""

import base64
import io

import segno
from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.db import transaction
from django.template.response import TemplateResponse
from django_otp import devices_for_user, login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


def confirmed_devices(user):
    return list(devices_for_user(user, confirmed=True))


def matching_device(user, code):
    """The user's device that `code` is right for: six digits are the app's, anything else a
    recovery code (each device counts its own failures)."""
    code = "".join(code.split())
    totp = code.isdigit() and len(code) == 6
    for device in confirmed_devices(user):
        if isinstance(device, TOTPDevice) != totp:
            continue
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in, asking for the second factor of those who have one."""

    otp_token = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        help_text="Only if you have turned on two-factor sign-in: the 6-digit code, or one "
        "of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean(self):
        data = super().clean()
        user = self.get_user()
        if user is not None and confirmed_devices(user):
            code = data.get("otp_token", "")
            device = matching_device(user, code) if code.strip() else None
            if device is None:
                raise forms.ValidationError(
                    "Enter the code your authenticator app shows now (or a recovery code).",
                    code="otp",
                )
            user.otp_device = device  # django-otp marks the session verified at sign-in
        return data


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code your app shows",
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def qr_code(url):
    """The otpauth:// address as a QR code image, inline (nothing leaves the site)."""
    out = io.BytesIO()
    segno.make(url).save(out, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def new_recovery_codes(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_view(request, admin_site):
    """Turn on two-factor sign-in: scan, confirm with a code, keep the recovery codes."""
    user = request.user
    context = {**admin_site.each_context(request), "title": "Two-factor sign-in"}
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is not None:
        if request.method == "POST" and "new_codes" in request.POST:
            context["recovery_codes"] = new_recovery_codes(user)
        return TemplateResponse(request, "admin/two_factor.html", {**context, "on": True})

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                codes = new_recovery_codes(user)
            login(request, device)
            messages.success(request, "Two-factor sign-in is on.")
            context.update(on=True, recovery_codes=codes)
            return TemplateResponse(request, "admin/two_factor.html", context)
        form.add_error(
            "code", "That code is not right: check the time on your phone, and try the newest."
        )
    key = base64.b32encode(device.bin_key).decode()
    context.update(
        form=form,
        qr=qr_code(device.config_url),
        key=" ".join(key[i : i + 4] for i in range(0, len(key), 4)),
    )
    return TemplateResponse(request, "admin/two_factor.html", context)


def reset(user):
    """Remove every second factor of `user` (a lost phone and lost recovery codes)."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        devices = model.objects.filter(user=user)
        removed += devices.count()
        devices.delete()
    return removed
