"""Find active content anywhere in a PDF: scripts, actions that are not navigation, forms
that carry their own program (XFA), embedded files and rich media.

Looking only at indirect objects is not enough: an /OpenAction or /AA can be written as a
direct dictionary inside the catalog, a page or an annotation, and a reader runs it all the
same. So the whole object graph is walked, from the trailer (which reaches everything a
reader can reach) and from every indirect object (so objects nothing points to are
inspected too). Only dictionaries are read, never stream data: decoding is where the cost
and the risk are, and nothing a reader acts on without a dictionary saying so lives there.

This module imports nothing from the project so it can be reasoned about, and tested, alone;
and so that it can run as a script, `python -I pdf_walk.py FILE ...`, in a child process that
loads no Django and runs under a time and memory limit of its own (main(), below). Parsing a
hostile PDF is where the cost is, so the web worker never does it itself.
"""

import json
import math
import re
import resource
import sys
from collections.abc import Iterable

import pikepdf

__all__ = ["TooComplex", "active_content", "check_file", "main"]


class TooComplex(Exception):
    """The PDF has more objects than the caller is willing to walk."""


# Where an object sits decides how it is judged: a dictionary with an /S name is an action
# only where an action is expected; elsewhere /S names structure types, page-label styles,
# border styles, transitions and soft masks, all inert.
_PLAIN, _ACTION, _TRIGGERS = 0, 1, 2

# Only these can hold other objects; scalars (numbers, names, strings, booleans, null) end
# the walk. pikepdf hands an indirect number or boolean over as a plain Python int or bool,
# which has no .objgen: anything else is a leaf, whatever Python type it arrives as.
_CONTAINERS = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)

# Keys whose values are actions (or arrays of them; /OpenAction may also be a destination
# array, which the action rule lets through because it has no /S).
_ACTION_KEYS = frozenset({"/OpenAction", "/A", "/Next"})

# Keys that are refused wherever they are: nothing inert uses them.
_KEY_CODES = {
    "/JS": "javascript",
    "/JavaScript": "javascript",  # also the /Names entry holding document-level scripts
    "/XFA": "xfa",  # only /AcroForm has one, and it is a form that runs its own scripts
    "/EF": "embedded_file",  # a file specification carrying the file itself
    "/EmbeddedFiles": "embedded_file",  # the /Names tree of attachments
    "/RichMediaContent": "rich_media",
    "/RichMediaSettings": "rich_media",
}

# /S values that are actions whatever holds them: no inert dictionary uses these names, so
# an action smuggled where this walk does not expect one is still caught.
_ALWAYS_ACTIVE_S = {
    "/JavaScript": "javascript",
    "/Launch": "action",
    "/SubmitForm": "action",
    "/ImportData": "action",
    "/GoToE": "action",
    "/GoToR": "action",
    "/Rendition": "action",
    "/RichMedia": "rich_media",
    "/RichMediaExecute": "rich_media",
}

# Plain navigation, the only actions allowed where actions are expected. Named actions are
# navigation only for the four the standard defines; readers map other names to menu items.
_NAVIGATION_S = frozenset({"/GoTo", "/URI", "/Named"})
_NAVIGATION_NAMED = frozenset({"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"})

_SUBTYPE_CODES = {
    "/FileAttachment": "embedded_file",
    "/RichMedia": "rich_media",
    "/3D": "rich_media",  # 3D annotations can run their own scripts
    "/Movie": "rich_media",  # plays a file named by the annotation, possibly not in the PDF
    "/Sound": "rich_media",
}

# A /URI action is navigation only to a web page or an e-mail address: viewers hand any
# other scheme to the system (ms-msdt:, search-ms:, file:, a UNC path), which may start a
# program. So the scheme is allowed by name, after dropping control characters and spaces
# as browsers do; a URI without a scheme is refused too (its meaning depends on the viewer).
_URI_JUNK = re.compile(rb"[\x00-\x20\x7f]")
_URI_SCRIPT = (b"javascript:", b"vbscript:")
_URI_ALLOWED = (b"http:", b"https:", b"mailto:")


def active_content(pdf: pikepdf.Pdf, *, max_objects: int) -> str | None:
    """Return a short English code naming the first active content found, or None if inert.

    Codes: "javascript", "action" (an action other than plain navigation), "link" (a link
    to something other than an http, https or mailto address), "xfa", "embedded_file",
    "rich_media". Raise TooComplex when more than max_objects objects
    (direct ones included) had to be visited: each root counts once and each entry of every
    dictionary, array or stream dictionary opened counts once, so scalars count as well and
    a reference to an indirect object counts each time it is met (it is opened only once).
    """
    walk = _Walk(max_objects)
    # The trailer first, so objects are met in the role the document gives them.
    found = walk.run(pdf.trailer)
    if found:
        return found
    for obj in pdf.objects:  # an indirect number comes as an int, a leaf: run() skips it
        found = walk.run(obj)
        if found:
            return found
    return None


class _Walk:
    def __init__(self, max_objects: int) -> None:
        self.max_objects = max_objects
        self.visited = 0
        # (objgen, role) of indirect objects already opened. The role is part of the key
        # because the same object met first as plain data and later as an action must be
        # judged again as an action; there are only three roles, so work stays linear.
        self.seen: set[tuple[tuple[int, int], int]] = set()

    def _charge(self, count: int) -> None:
        # Charged before a container is read, so a dictionary or array with millions of
        # entries is refused before any of them is converted to Python.
        self.visited += count
        if self.visited > self.max_objects:
            raise TooComplex(f"more than {self.max_objects} PDF objects")

    def run(self, root: pikepdf.Object) -> str | None:
        self._charge(1)
        # An explicit stack, not recursion: nesting depth is chosen by whoever wrote the file.
        stack: list[tuple[pikepdf.Object, int]] = [(root, _PLAIN)]
        while stack:
            obj, role = stack.pop()
            if not isinstance(obj, _CONTAINERS):
                continue
            objgen = obj.objgen
            if objgen != (0, 0):
                if (objgen, role) in self.seen:
                    continue
                self.seen.add((objgen, role))
            if isinstance(obj, pikepdf.Array):
                self._charge(len(obj))
                # Elements of an array of actions (/Next [...]) are actions; any other array
                # passes no role down.
                child = _ACTION if role in (_ACTION, _TRIGGERS) else _PLAIN
                stack.extend((item, child) for item in _containers(obj))
                continue
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict  # the dictionary only; the data is never decoded
            self._charge(len(obj))
            found = self._judge(obj, role, stack)
            if found:
                return found
        return None

    def _judge(
        self, obj: pikepdf.Dictionary, role: int, stack: list[tuple[pikepdf.Object, int]]
    ) -> str | None:
        names: dict[str, str] = {}
        for key, value in obj.items():
            code = _KEY_CODES.get(key)
            if code:
                return code
            if isinstance(value, pikepdf.Name):
                names[key] = str(value)
            elif isinstance(value, _CONTAINERS):
                if key in _ACTION_KEYS:
                    stack.append((value, _ACTION))
                elif key == "/AA":
                    stack.append((value, _TRIGGERS))
                else:
                    # The values of an /AA dictionary (/O, /C, /K, ...) are actions.
                    stack.append((value, _ACTION if role == _TRIGGERS else _PLAIN))
        if names.get("/Type") == "/EmbeddedFile":
            return "embedded_file"
        code = _SUBTYPE_CODES.get(names.get("/Subtype", ""))
        if code:
            return code
        kind = names.get("/S")
        if kind is None:
            return None
        code = _ALWAYS_ACTIVE_S.get(kind)
        if code or role != _ACTION:
            return code
        if kind not in _NAVIGATION_S:
            return "action"
        if kind == "/Named" and names.get("/N") not in _NAVIGATION_NAMED:
            return "action"
        if kind == "/URI":
            return _judge_uri(obj.get("/URI"))
        return None


def _containers(array: pikepdf.Array) -> Iterable[pikepdf.Object]:
    # Scalars cannot hold anything; only containers are worth a place on the stack.
    return (item for item in array if isinstance(item, _CONTAINERS))


def _judge_uri(uri: object) -> str | None:
    if not isinstance(uri, pikepdf.String):
        return "link"  # a link action that names no address is not one we can vet
    text = _URI_JUNK.sub(b"", bytes(uri)).lower()
    if text.startswith(_URI_SCRIPT):
        return "javascript"
    if not text.startswith(_URI_ALLOWED):
        return "link"
    return None


# --- The check as a child process -----------------------------------------------------------

# The exit status of a child that ran out of memory: Python may have no memory left to say
# more, so the verdict is this number alone.
OUT_OF_MEMORY = 3


def check_file(path: str, *, max_objects: int) -> str | None:
    """Return None for an inert, intact, unencrypted PDF with pages, or a code saying why not.

    Codes: those of active_content(), and "encrypted", "too_many_objects", "no_pages",
    "damaged" (qpdf had to repair it) and "unreadable" (not a PDF qpdf can read).
    """
    try:
        with pikepdf.open(path) as pdf:
            if pdf.is_encrypted:
                return "encrypted"
            # The walk is bounded by its object count, so it goes before anything unbounded.
            found = active_content(pdf, max_objects=max_objects)
            if not len(pdf.pages):
                return "no_pages"
            # qpdf quietly rebuilds a damaged file, sometimes only when the walk reaches the
            # broken object, so its warnings are read last. What it guessed is not the original.
            if pdf.get_warnings():
                return "damaged"
    except pikepdf.PasswordError:
        return "encrypted"
    except TooComplex:
        return "too_many_objects"
    except pikepdf.PdfError:
        return "unreadable"
    return found


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def main(argv: list[str] | None = None) -> int:
    """Check one PDF and print the verdict as JSON: {"verdict": null or a code}.

    Arguments: the file's path, the most objects to walk, the CPU seconds and the megabytes
    of address space the check may use. The limits are set here, before the file is opened,
    rather than by the parent between fork and exec (preexec_fn), which is unsafe in a
    threaded server. Over the CPU limit the kernel ends the process (SIGXCPU); over the
    memory limit an allocation fails, and the exit status is OUT_OF_MEMORY.
    """
    path, max_objects, seconds, megabytes = argv if argv is not None else sys.argv[1:]
    _limit(resource.RLIMIT_CPU, max(1, math.ceil(float(seconds))))
    _limit(resource.RLIMIT_AS, int(megabytes) * 1024 * 1024)
    try:
        verdict = check_file(path, max_objects=int(max_objects))
    except MemoryError:
        return OUT_OF_MEMORY
    print(json.dumps({"verdict": verdict}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
