"""Open an uploaded PDF in a child process that cannot run away.

Run as a script (``python -I pdf_probe.py CPU MEMORY PAGES OBJECTS``) with the
PDF on standard input; it prints one line of JSON. It imports nothing from
Django: the parent (``validation.py``) starts a fresh interpreter, and this
process limits itself before it reads a byte, so a crafted file (nested forms
drawn thousands of times, deep arrays, compression bombs) costs at most the
CPU seconds and memory given, then the kernel stops it.

Answers: ``{"status": "ok", "pages": n, "active": bool}``, or a status of
``encrypted``, ``damaged``, ``too_many_pages`` or ``too_complex``.
"""

import io
import json
import resource
import sys

# Names that make a PDF do something when opened or clicked: scripts, launching
# programs, sending form data, embedded files or media. /OpenAction counts only
# when it is an action (a dictionary); as an array it is just "open at page 1".
ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles", "/RichMedia", "/XFA"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"}


def _limit(cpu_seconds: int, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _object_count(reader) -> int:
    return len(reader.xref_objStm) + sum(len(entries) for entries in reader.xref.values())


def _has_active_content(reader, max_nodes: int) -> bool:
    """Look for actions in every object: the trailer's tree and each object of the
    cross-reference table, once each.

    Nothing is skipped: a field's script may be reachable only through its widget's
    /Parent (the form's /Fields list can be empty), so back-links are followed too
    and the ``seen`` set stops the loops. Values are resolved before they are read:
    an action's /S may be an indirect object naming /Launch.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    stack: list = [reader.trailer]
    stack.extend(
        IndirectObject(number, generation, reader)
        for generation, entries in reader.xref.items()
        for number in entries
    )
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    nodes = 0
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise OverflowError("too many nodes")
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(node.get_object())
        elif isinstance(node, DictionaryObject):
            for name, value in node.items():
                if name in ACTIVE_KEYS:
                    return True
                resolved = value.get_object() if isinstance(value, IndirectObject) else value
                if name == "/OpenAction" and isinstance(resolved, DictionaryObject):
                    return True
                if name == "/S" and isinstance(resolved, NameObject) and resolved in ACTIVE_ACTIONS:
                    return True
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return False


def probe(content: bytes, max_pages: int, max_objects: int) -> dict:
    import logging

    from pypdf import PdfReader

    logging.disable(logging.CRITICAL)  # pypdf's warnings are not our answer
    reader = PdfReader(io.BytesIO(content), strict=True)
    if reader.is_encrypted:
        return {"status": "encrypted"}
    if _object_count(reader) > max_objects:
        return {"status": "too_complex"}
    pages = len(reader.pages)
    if pages < 1:
        return {"status": "damaged"}
    if pages > max_pages:
        return {"status": "too_many_pages"}
    # Reading the first page's text proves its content really parses.
    reader.pages[0].extract_text()
    return {
        "status": "ok",
        "pages": pages,
        "active": _has_active_content(reader, max_nodes=20 * max_objects),
    }


def main(argv: list[str]) -> int:
    cpu_seconds, memory_bytes, max_pages, max_objects = (int(value) for value in argv[1:5])
    _limit(cpu_seconds, memory_bytes)
    content = sys.stdin.buffer.read()
    try:
        answer = probe(content, max_pages, max_objects)
    except (MemoryError, RecursionError, OverflowError):
        answer = {"status": "too_complex"}
    except Exception:  # noqa: BLE001 - whatever pypdf raises, the file is not a PDF we can use
        answer = {"status": "damaged"}
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
