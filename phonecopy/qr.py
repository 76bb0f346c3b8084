"""A QR code as inline SVG, drawn here (qrcode, already installed with allauth's second-factor set-up):
the link never leaves the server for a third-party QR service."""

import qrcode
import qrcode.image.svg
from django.utils.safestring import SafeString


def qr_svg(data: str) -> SafeString:
    """`data` as an SVG QR code. Our own markup around a link we made: no client text goes into it."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    svg = image.to_string(encoding="unicode")
    svg = svg.replace("<svg ", '<svg class="phone-qr" aria-hidden="true" focusable="false" ', 1)
    return SafeString(svg)
