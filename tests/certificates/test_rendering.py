"""The certificate's PDF (certificates/rendering.py) with the built-in template, no database:
each PDF is read back (pypdf for text, metadata and attachments; pypdfium2 renders the page,
zxing-cpp decodes the QR code), and staff templates are tried for what they may not do."""

import dataclasses
import io
import json
import re
import socket

import pypdfium2
import pytest
import zxingcpp
from pypdf import PdfReader

from certificates import rendering
from certificates.selectors import template_default

HTML, CSS = template_default()
CREDENTIAL = json.dumps({"type": ["VerifiableCredential"], "proof": "z" + "3" * 2000}).encode()
ATTACHMENT = ("open-badge-credential.json", CREDENTIAL, "Open Badges 3.0 credential")
PDFAID = "http://www.aiim.org/pdfa/ns/id/"


def facts(language="it", **changes):
    return dataclasses.replace(rendering.preview_facts(language), **changes)


def pdf_of(one, *, html=HTML, css=CSS, attachments=(ATTACHMENT,)):
    context = rendering.render_context(facts=one)
    return rendering.certificate_pdf(
        html=html, css=css, context=context, attachments=attachments, language=one.language
    )


def text_of(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.fixture(scope="module")
def italian_pdf():
    return pdf_of(facts("it"))


def test_italian_certificate_shows_the_learner_the_hours_apart_and_the_code(italian_pdf):
    text = text_of(italian_pdf)

    assert "Attestato di partecipazione Si attesta che Maria Bianchi" in text
    assert "Codice fiscale BNCMRA85M41F205D · Comune di Rho · Città metropolitana di Milano" in text
    assert "ha completato il modulo La transizione digitale negli enti locali" in text
    # The hours apart and their total, with the decimal comma (a table: labels, then figures).
    assert "Formazione a distanza In presenza Webinar in diretta Totale 12,5 8,0 2,5 23,0" in text
    assert "Frequentato nel periodo 14 settembre 2026 – 6 novembre 2026" in text
    assert "Rilasciato in data 9 novembre 2026" in text
    assert "CODICE DI VERIFICA MLC-7K3Q-9XW2-PA4D-R8TF" in text
    assert "http://127.0.0.1:8000/verify/MLC-7K3Q-9XW2-PA4D-R8TF" in text
    assert "12.5" not in text


def test_english_certificate_has_english_labels_and_decimal_points():
    text = text_of(pdf_of(facts("en")))

    assert "Certificate of attendance" in text
    assert "This is to certify that" in text
    assert "has completed the module" in text
    assert "Distance learning In person Live webinar Total 12.5 8.0 2.5 23.0" in text
    assert "Attended from 14 September 2026 to 6 November 2026" in text
    assert "12,5" not in text


def test_tax_code_is_left_out_when_there_is_none():
    text = text_of(pdf_of(facts("en", learner_tax_code="")))

    assert "Tax code" not in text
    assert "Comune di Rho · Metropolitan City of Milano" in text


def test_revoked_certificate_says_so():
    def all_text(pdf):  # pypdfium2 reads the watermark's rotated, letter-spaced text
        return pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range().replace(" ", "")

    assert "REVOKED" in all_text(pdf_of(facts("en", is_revoked=True)))
    assert "REVOKED" not in all_text(pdf_of(facts("en")))


def test_qr_code_on_the_page_opens_the_verification_url():
    url = "https://lms.example.it/verify/MLC-AB12-CD34-EF56-GH78"
    pdf = pdf_of(facts("it", verification_url=url))

    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=3).to_pil()
    codes = zxingcpp.read_barcodes(image)

    assert [(code.format, code.text) for code in codes] == [(zxingcpp.BarcodeFormat.QRCode, url)]


def test_pdf_is_pdfa_3b_with_the_credential_embedded_as_data(italian_pdf):
    reader = PdfReader(io.BytesIO(italian_pdf))
    catalog = reader.trailer["/Root"]

    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert f'xmlns:pdfaid="{PDFAID}"' in xmp
    assert re.search(r'pdfaid:part(="|>)3\b', xmp)  # an attribute or an element: both are RDF
    assert re.search(r'pdfaid:conformance(="|>)B\b', xmp)
    assert catalog["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert reader.attachments == {"open-badge-credential.json": [CREDENTIAL]}
    (filespec,) = [item.get_object() for item in catalog["/AF"]]
    assert filespec["/AFRelationship"] == "/Data"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    assert reader.metadata.title == "Attestato di partecipazione – Maria Bianchi"
    assert reader.metadata.author == "Metropoli LMS"
    assert catalog["/Lang"] == "it"


def test_every_font_is_embedded(italian_pdf):
    reader = PdfReader(io.BytesIO(italian_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = [
        font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for font in fonts.values()
    ]

    assert descriptors
    assert all("/FontFile2" in d or "/FontFile3" in d for d in descriptors)
    assert all("Titillium" in d["/FontName"] for d in descriptors)


def test_without_titillium_certificates_use_dejavu(monkeypatch):
    monkeypatch.setattr(rendering, "_titillium_dir", lambda: None)
    rendering.fonts.cache_clear()
    rendering.stylesheet.cache_clear()
    try:
        pdf = pdf_of(facts("en"))
        family = rendering.font_family()
    finally:
        rendering.fonts.cache_clear()
        rendering.stylesheet.cache_clear()

    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    assert family == "DejaVu Sans"
    assert names
    assert all(name.startswith("DejaVu-Sans") for name in names)
    assert "Maria Bianchi" in text_of(pdf)


def test_the_learners_name_is_escaped():
    name = '<script>alert("x")</script> & <b>Bianchi</b>'
    one = facts("en", learner_name=name)

    markup = rendering.render_html(
        html=HTML, context=rendering.render_context(facts=one), language="en"
    )

    assert "<script>" not in markup
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in markup
    assert name in text_of(pdf_of(one))


def test_a_template_reaches_nothing_outside_its_context():
    html = "<p>[{{ settings.SECRET_KEY }}][{{ request.user }}][{{ user.email }}][{{ perms }}]</p>"
    context = rendering.render_context(facts=facts("en"))

    assert rendering.render_html(html=html, context=context, language="en") == "<p>[][][][]</p>"
    (load,) = rendering.template_check(html="{% load static %}<p>{% static 'x' %}</p>", css="")
    assert "'static' is not a registered tag library" in load
    (include,) = rendering.template_check(html='{% include "admin/base.html" %}<p>x</p>', css="")
    assert include.startswith("The template cannot be rendered: admin/base.html")


def test_template_check_accepts_the_default_template():
    assert rendering.template_check(html=HTML, css=CSS) == []
    assert rendering.template_warnings(html=HTML, css=CSS) == []


def test_template_check_reports_a_broken_tag_with_its_line():
    html = "<p>{{ learner.name }}</p>\n<p>\n{% if learner.tax_code %}{{ learner.tax_code }}\n</p>"

    (error,) = rendering.template_check(html=html, css="")

    assert error.startswith("Line 3: Unclosed tag on line 3: 'if'")


def test_template_check_refuses_a_page_with_nothing_on_it():
    html = "<html><head><title>{{ learner.name }}</title></head><body> </body></html>"

    assert rendering.template_check(html=html, css="") == [
        "The certificate would be empty: the template shows nothing."
    ]


def test_template_warnings_name_what_the_context_lacks():
    html = (
        "<p>{{ learner.nmae }}</p>\n"
        "{% for code in programme.funding_codes %}{{ code }}{% endfor %}\n"
        "{% blocktranslate with name=learner.name %}{{ name }}{% endblocktranslate %}\n"
        "{% if certificate.is_revoked or dates.finished %}{{ hours.total|default:'0' }}{% endif %}"
    )

    warnings = rendering.template_warnings(html=html, css="")

    assert warnings == [
        "Line 1: “learner.nmae” is not in the certificate's context: it prints nothing.",
        "Line 4: “dates.finished” is not in the certificate's context: it prints nothing.",
    ]


def test_template_warnings_tell_a_certificate_longer_than_a_page():
    html = "{% for code in programme.funding_codes %}<p style='height: 150mm'>x</p>{% endfor %}"

    warnings = rendering.template_warnings(html=html, css="@page { size: A4 landscape }")

    assert warnings == ["The certificate takes 2 pages: it should fit on one."]


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection or look a host up is recorded and fails."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_remote_and_foreign_files_are_refused_without_fetching(no_network, caplog):
    html = (
        '<p>{{ learner.name }}</p><img src="http://example.com/x.png">'
        '<img src="file:///etc/passwd"><img src="https://example.com/y.png">'
    )
    css = "@import url(http://example.com/style.css); p { background: url(ftp://example.com/z) }"

    pdf = pdf_of(facts("en"), html=html, css=css, attachments=())

    assert no_network == []
    refused = [r.getMessage() for r in caplog.records if r.name == "certificates.rendering"]
    for url in ("http://example.com/x.png", "file:///etc/passwd", "https://example.com/y.png"):
        assert f"A certificate refused to fetch {url}" in refused
    assert "Maria Bianchi" in text_of(pdf)


def test_a_data_uri_image_is_served():
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
        "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    html = f'<p>{{{{ learner.name }}}}</p><img src="{pixel}" style="width: 10mm">'

    pdf = pdf_of(facts("en"), html=html, css="", attachments=())

    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1


def test_context_is_exactly_what_is_documented():
    context = rendering.render_context(facts=facts("it"))

    def keys(value, prefix=""):
        if isinstance(value, dict):
            return [k for name, item in value.items() for k in keys(item, f"{prefix}{name}.")]
        return [prefix.removesuffix(".")]

    assert sorted(keys(context)) == sorted(rendering.RENDER_CONTEXT_DOC)
    assert context["programme"]["funding_codes"] == [
        "CUP J51B00000000000",
        "Codice progetto PRJ-0001",
    ]
    assert context["certificate"]["kind_label"] == "Modulo"
    assert context["hours"]["distance_seconds"] == 45000.0


def test_hours_are_tenths_rounded_down_and_the_total_is_their_sum():
    one = facts(
        "it",
        distance_seconds=44999.9999,  # 12.5 h, as a sum of floats gives it
        in_person_seconds=540.0,  # 0.15 h
        webinar_seconds=539.0,  # 0.149 h
    )

    hours = rendering.render_context(facts=one)["hours"]

    assert (hours["distance"], hours["in_person"], hours["webinar"]) == ("12,5", "0,1", "0,1")
    assert hours["total"] == "12,7"
    assert hours["total_seconds"] == pytest.approx(46078.9999)


def test_dates_are_written_the_way_each_language_does():
    first = facts("it", completed_on=facts().completed_on.replace(day=1), started_on=None)

    dates = rendering.render_context(facts=first)["dates"]
    english = rendering.render_context(facts=dataclasses.replace(first, language="en"))["dates"]

    assert dates["completed_on_text"] == "1º novembre 2026"
    assert english["completed_on_text"] == "1 November 2026"
    assert dates["started_on_text"] == ""


def test_qr_svg_is_inline_scalable_and_labelled():
    svg = rendering.qr_svg('https://lms.example.it/verify/X?a=1&b="2"')

    assert svg.startswith('<svg role="img" aria-label="QR code to verify the certificate: ')
    assert "&amp;b=&quot;2&quot;" in svg.split(">", 1)[0]
    assert 'viewBox="0 0 ' in svg
    assert "<title>" in svg
    assert "width=" not in svg.split(">", 1)[0]
    assert "<?xml" not in svg
