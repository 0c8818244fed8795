"""Checks for what curators type and upload: ISBNs and images."""

import io
import re
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

ALLOWED_IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}


def normalize_isbn(value):
    """
    Return the ISBN-13 for an ISBN-13 or ISBN-10 (hyphens and spaces allowed).

    Raises ValidationError when the length or the check digit is wrong.
    """
    digits = "".join(ch for ch in str(value) if ch not in "- ").upper()
    if len(digits) == 10:
        if not (digits[:9].isdigit() and (digits[9].isdigit() or digits[9] == "X")):
            raise ValidationError("An ISBN-10 has nine digits and a final digit or X.")
        total = sum((10 - i) * int(d) for i, d in enumerate(digits[:9]))
        total += 10 if digits[9] == "X" else int(digits[9])
        if total % 11:
            raise ValidationError("This ISBN-10's check digit is wrong: please check for a typo.")
        digits = "978" + digits[:9]
        return digits + isbn13_check_digit(digits)
    if len(digits) == 13 and digits.isdigit():
        if digits[12] != isbn13_check_digit(digits[:12]):
            raise ValidationError("This ISBN-13's check digit is wrong: please check for a typo.")
        return digits
    raise ValidationError("Enter an ISBN-13 (13 digits) or an ISBN-10 (10 characters).")


def isbn13_check_digit(first12):
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


# Markers of a page or script hidden in an image file (a "polyglot" a browser might run).
ACTIVE_CONTENT = re.compile(rb"<(?:html|script|svg|iframe|body|\?php|!doctype)", re.IGNORECASE)


def validate_image_file(file):
    """
    Accept only a real JPEG, PNG or WebP within the size and pixel limits, as Pillow reads it.

    The file's name and the browser's content type are not trusted: Pillow decodes the bytes
    (a truncated file fails), the pixel count is checked from the header before decoding (a
    decompression bomb fails), and a file carrying HTML or script as well is refused.
    Files already stored were checked when they were uploaded and are not opened again.
    """
    if getattr(file, "_committed", False):
        return
    max_bytes = settings.IMAGE_UPLOAD_MAX_BYTES
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            f"This file is {filesizeformat(file.size)}; images may be up to "
            f"{filesizeformat(max_bytes)}."
        )
    file.seek(0)
    if ACTIVE_CONTENT.search(file.read()):
        raise ValidationError(
            "This file contains web page or script code as well as an image; please export "
            "the picture again as a plain JPEG, PNG or WebP."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                    raise ValidationError(
                        f"This image is {width} × {height} pixels, too large to show; "
                        "please resize it."
                    )
                image.load()  # decode it all: a truncated or corrupt file fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError("This image has too many pixels to open safely.") from error
    except Exception as error:  # Pillow raises many kinds of errors for broken files.
        raise ValidationError(
            "This file is not an image we can read, or it is damaged. Upload a JPEG, PNG or WebP."
        ) from error
    finally:
        file.seek(0)
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(f"This is a {image_format} image; please upload a JPEG, PNG or WebP.")


def without_metadata(file):
    """
    The uploaded image re-encoded without EXIF or other metadata (a phone photo's location,
    camera and time must not be published), turned upright first as its EXIF said.
    Call it on a file that validate_image_file accepted.
    """
    file.seek(0)
    with Image.open(file) as original:
        image_format = original.format
        icc_profile = original.info.get("icc_profile")
        image = ImageOps.exif_transpose(original)
        if image_format == "JPEG" and image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        options = {"quality": 90} if image_format in ("JPEG", "WEBP") else {}
        if icc_profile:
            options["icc_profile"] = icc_profile  # colours, not personal data
        image.save(buffer, format=image_format, **options)
    content_type = f"image/{image_format.lower()}"
    return SimpleUploadedFile(file.name, buffer.getvalue(), content_type)
