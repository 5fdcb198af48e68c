"""Hand-built PDFs for the abuse tests: each a few kilobytes, each aimed at one weakness."""

import io
import zlib


def pdf_from_objects(objects: dict[int, bytes], root: int = 1) -> bytes:
    """A well-formed PDF file (header, objects, cross-reference table, trailer)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, objects[number]))
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(
            b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n"
        )
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    )
    return out.getvalue()


def stream(body: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(body, 9)
    return b"<< /Length %d /Filter /FlateDecode %s >>\nstream\n%s\nendstream" % (
        len(packed),
        extra,
        packed,
    )


def one_page(content: bytes = b"BT ET", resources: bytes = b"", catalog_extra: bytes = b"") -> dict:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog_extra,
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << %s >> "
        b"/Contents 4 0 R >>" % resources,
        4: stream(content),
    }


def nested_forms(depth: int = 7, fanout: int = 4, filler: int = 5000) -> bytes:
    """Forms that draw the next form `fanout` times, `depth` deep, each with a long
    compressed content: text extraction re-parses every drawing (4**7 of them)."""
    calls = b" ".join([b"/X Do"] * fanout)
    objects = one_page(calls, resources=b"/XObject << /X 10 0 R >>")
    for level in range(depth):
        number = 10 + level
        last = level == depth - 1
        body = b"0 0 m " * filler + (b"" if last else calls)
        resources = b"" if last else b"/Resources << /XObject << /X %d 0 R >> >>" % (number + 1)
        objects[number] = stream(
            body, b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] " + resources
        )
    return pdf_from_objects(objects)


def deep_arrays(depth: int = 200_000) -> bytes:
    """An object nested two hundred thousand arrays deep (a recursive parser's stack)."""
    objects = one_page()
    objects[5] = b"[" * depth + b"]" * depth
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R /Deep 5 0 R >>"
    return pdf_from_objects(objects)


def many_objects(count: int) -> bytes:
    objects = one_page()
    for number in range(10, 10 + count):
        objects[number] = b"<< /N %d >>" % number
    return pdf_from_objects(objects)


def many_pages(count: int) -> bytes:
    first = 10
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(count))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
        4: stream(b"BT ET"),
    }
    for i in range(count):
        objects[first + i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"
        )
    return pdf_from_objects(objects)


ACTIVE = {
    "script when opened": b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
    "additional actions": b"/AA << /WC << /S /JavaScript /JS (app.alert(1)) >> >>",
    "program launched": b"/OpenAction << /S /Launch /F (calc.exe) >>",
}


# clamd already refuses this one as obfuscated; the check must read it right too.
ESCAPED_NAMES = b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"


def active_pdf(catalog_extra: bytes) -> bytes:
    return pdf_from_objects(one_page(catalog_extra=catalog_extra))


def with_annotation(
    annotation: bytes, extra: dict[int, bytes], catalog_extra: bytes = b""
) -> bytes:
    """One page whose only annotation is object 5, plus other objects from 6 on."""
    objects = one_page(catalog_extra=catalog_extra)
    objects[3] = objects[3].replace(b"/Contents", b"/Annots [5 0 R] /Contents")
    objects[5] = annotation
    objects.update(extra)
    return pdf_from_objects(objects)


def script_in_a_field_parent() -> bytes:
    """A page widget whose field (its /Parent) runs a script on each keystroke; the
    form's field list is empty, so only the widget's back-link reaches the field."""
    return with_annotation(
        b"<< /Type /Annot /Subtype /Widget /Rect [0 0 10 10] /Parent 6 0 R >>",
        {
            6: b"<< /FT /Tx /T (f) /Kids [5 0 R] /AA << /K << /S /JavaScript /JS (app.alert(1)) >> >> >>"
        },
        catalog_extra=b"/AcroForm << /Fields [] >>",
    )


def launch_named_indirectly() -> bytes:
    """A link whose action type is an indirect object: object 7 is the name /Launch."""
    return with_annotation(
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S 7 0 R /F (calc.exe) >> >>",
        {7: b"/Launch"},
    )


# Whole files, for the cases that need more than the catalogue.
ACTIVE_FILES = {
    **{case: (lambda extra=extra: active_pdf(extra)) for case, extra in ACTIVE.items()},
    "script in a widget's parent field": script_in_a_field_parent,
    "launch named by an indirect object": launch_named_indirectly,
}


def plain_pdf_opening_at_page_one() -> bytes:
    """/OpenAction as a destination only: nothing runs."""
    return pdf_from_objects(one_page(catalog_extra=b"/OpenAction [3 0 R /Fit]"))
