"""Office documents (DOCX, XLSX, ODT): what the package declares, and what its parts say.

A document is read in three passes, each bounded before it reads:

1. the zip's directory: too many members, or members that would inflate beyond reason,
   are refused before a byte is inflated;
2. the declarations: the types in [Content_Types].xml, the relationships, the ODF
   manifest (small parts, parsed whole, a DTD refused). A package that holds parts no
   relationship reaches is refused: Word and Excel never read them, so they can only be
   another file travelling inside the document;
3. the content: each XML part is streamed through expat (no tree is built, so a large
   sheet is never held in memory), looking for what runs or fetches on opening: Word
   fields (DDE, INCLUDEPICTURE...), an altChunk, DDE formulas, ODF event listeners, DDE
   links and pictures or sections linked from outside.

validation.check() calls check(); the Refused raised here becomes validation's own.
docs/archive.md, "What the archive refuses, and why", lists every refusal and its reason.
"""

import posixpath
import re
import zipfile
import zlib
from urllib.parse import unquote
from xml.etree import ElementTree
from xml.parsers import expat

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

# The main part of a document, as [Content_Types].xml declares it, decides its type.
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
# Declared types and relationship types that carry code or other programs' objects.
OOXML_ACTIVE = re.compile(r"macroenabled|vbaproject|vbadata|activex|oleobject|/control$", re.I)
# Part names that hold code or objects, whether or not anything declares them.
ACTIVE_PARTS = ("vbaproject", "vbadata", "oleobject", "activex")
# A chunk of another format (RTF, HTML, a whole .docx) that Word merges when it opens.
ALT_CHUNK = re.compile(r"/afchunk$", re.I)
# Workbook parts that fetch data on opening or refresh: a connection (a web query, a
# database), a query table filled by it, a link to another workbook. By relationship
# type, declared type or part name.
WORKBOOK_FETCH = re.compile(r"[/.](connections|querytable|externallink)(\+xml)?$", re.I)
FETCHING_PARTS = ("connections", "querytable", "externallink")

# Word fields whose code makes Word start a program (DDE) or read a file or address.
FETCHING_FIELDS = {"DDE", "DDEAUTO", "INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "IMPORT"}
FIELD_HEAD = 256  # enough of a field's code to read its first word
FIELD_WORD = re.compile(r'"?([^\s"\\{}]*)')
WORD_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
SHEET_NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://purl.oclc.org/ooxml/drawingml/chart",
    "http://schemas.microsoft.com/office/excel/2006/main",
)


def _names(namespaces, *local_names) -> frozenset[str]:
    """Element names as expat reports them: namespace, a space, the local name."""
    return frozenset(f"{space} {local}" for space in namespaces for local in local_names)


ALT_CHUNK_ELEMENT = _names(WORD_NAMESPACES, "altChunk")
SIMPLE_FIELD = _names(WORD_NAMESPACES, "fldSimple")
FIELD_CHAR = _names(WORD_NAMESPACES, "fldChar")
FIELD_CODE = _names(WORD_NAMESPACES, "instrText", "delInstrText")
# Formulas: in cells, defined names, validation and conditional formats, charts.
FORMULA = _names(SHEET_NAMESPACES, "f", "formula", "formula1", "formula2", "definedName")
COLLECTED = FIELD_CODE | FORMULA
WATCHED = ALT_CHUNK_ELEMENT | SIMPLE_FIELD | FIELD_CHAR | COLLECTED
FORMULA_MAX = 64 * 1024  # Excel writes at most 8,192 characters
# String literals ("a|b") and quoted sheet names ('A|B'!A1) may hold a "|"; a DDE
# reference (cmd|'/C calc'!A0) has one outside them.
FORMULA_QUOTED = re.compile(r"\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*'")
# Functions that fetch from an address (WEBSERVICE), start a COM server (RTD) or call
# into a library (CALL, REGISTER), as Excel stores them.
FETCHING_FUNCTIONS = re.compile(
    r"(?<![\w.])(?:_xlfn\.)?(?:WEBSERVICE|RTD|CALL|REGISTER(?:\.ID)?)\s*\(", re.I
)

# ODF: a link is external when it names a scheme (file:, http:, c:), a network (UNC)
# path or an absolute one, or climbs out of the package; parts of the package are
# written "Pictures/1.png" or "./Object 1".
XLINK_HREF = "http://www.w3.org/1999/xlink href"
EXTERNAL_HREF = re.compile(r"\s*(?:[a-z][a-z0-9+.-]*:|[\\/]|\.\.[\\/])", re.I)
# Elements whose link is followed only when the reader clicks it.
ODF_HYPERLINKS = {"a", "area-rectangle", "area-circle", "area-polygon"}
ODF_CONTENT = {"content.xml", "styles.xml", "meta.xml"}  # also those of embedded objects

# Zip archives are judged by what their directory declares, before a byte is inflated.
ZIP_MAX_MEMBERS = 5000
# The declared size of all members; it also bounds the time the content is read (expat
# and the handlers below read a sheet at 10-20 MB a second).
ZIP_MAX_TOTAL = 1024 * 1024 * 1024
ZIP_MAX_RATIO = 100  # compression ratio above which a large member is a bomb
ZIP_RATIO_FLOOR = 1024 * 1024  # small members may compress well (XML does)
XML_MAX = 4 * 1024 * 1024  # the manifest parts we parse whole are a few kilobytes
CHUNK = 64 * 1024  # content parts are streamed in pieces of this size
# The XML read in full (expat, 10-20 MB a second here) stays well inside a worker's 30 s;
# a document with more text than this is rare, and is better archived as PDF.
CONTENT_MAX = 200 * 1024 * 1024


class Refused(ValueError):
    """The document is not accepted; the message says why, for the person who uploaded it."""


def check(file) -> str | None:
    """Return the MIME type of an acceptable office document, None if it is none of ours.

    Raise Refused when it is one of ours but unsafe, damaged or a bomb.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            members = _judge_zip(archive)
            if "mimetype" in members:
                return _check_odt(archive, members)
            if "[Content_Types].xml" in members:
                return _check_ooxml(archive, members)
    # A damaged member shows only when it is inflated: a bad CRC, a broken deflate
    # stream, a member encrypted or compressed in a way zipfile cannot read.
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
        raise _damaged() from None
    return None


# --- The zip and its XML --------------------------------------------------------------------


def _judge_zip(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Return the members by name, refusing an archive that would inflate beyond reason."""
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_MEMBERS:
        raise _bomb()
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > ZIP_MAX_TOTAL or (info.file_size > ZIP_RATIO_FLOOR and ratio > ZIP_MAX_RATIO):
            raise _bomb()
    return {info.filename: info for info in infos}


def _xml(archive, info) -> ElementTree.Element:
    """Parse a small XML part; a DTD (entity expansion, external entities) is refused outright."""
    if info.file_size > XML_MAX:
        raise _bomb()
    data = archive.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _damaged()
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError:
        raise _damaged() from None


def _stream(archive, info, reader) -> None:
    """Feed one XML part of any size to a new `reader(parser)`, a piece at a time.

    zipfile stops at the member's declared size, which _judge_zip has already bounded.
    The reader sets the parser's handlers; expat calls back only for what it asks.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _no_dtd  # no DTD, so no entity can be declared
    parser.buffer_text = True
    reader(parser)
    try:
        with archive.open(info) as part:
            while piece := part.read(CHUNK):
                parser.Parse(piece, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise _damaged() from None


def _no_dtd(*args) -> None:
    raise _damaged()


def _local(tag: str) -> str:
    """The local name of an ElementTree tag ("{ns}name") or an expat name ("ns name")."""
    return re.split(r"[} ]", tag)[-1]


def _attribute(element, name: str) -> str:
    return _value(element.attrib, name)


def _value(attributes: dict, name: str) -> str:
    for key, value in attributes.items():
        if _local(key) == name:
            return value
    return ""


# --- Office Open XML (DOCX, XLSX) -----------------------------------------------------------


def _check_ooxml(archive, members) -> str | None:
    """DOCX or XLSX, by the main part's declared type; code, outside links and fetches refused."""
    declared = _declared_types(archive, members)
    main = _judge_relationships(archive, members)
    for name in members:
        base = posixpath.basename(name).lower()
        if base.startswith(ACTIVE_PARTS):
            raise _macros()
        if base.startswith(FETCHING_PARTS):
            raise _workbook_fetch()
    if main is None or main not in members or declared(main) not in OOXML_MAIN:
        return None
    reached = _reached(archive, members)
    if any(name not in reached and not _exempt(name) for name in members):
        raise _unused()
    content = [
        members[name]
        for name in sorted(reached)
        if name.lower().endswith(".xml") or declared(name).endswith("xml")
    ]
    for info in _within_reading_time(content):
        _stream(archive, info, _OoxmlContent)
    return OOXML_MAIN[declared(main)]


def _declared_types(archive, members):
    """Read [Content_Types].xml; return a function giving a part's declared type."""
    defaults, overrides = {}, {}
    for entry in _xml(archive, members["[Content_Types].xml"]):
        declared = entry.get("ContentType", "")
        if OOXML_ACTIVE.search(declared):
            raise _macros()
        if WORKBOOK_FETCH.search(declared):
            raise _workbook_fetch()
        if _local(entry.tag) == "Default":
            defaults[entry.get("Extension", "").lower()] = declared
        elif _local(entry.tag) == "Override":
            overrides[entry.get("PartName", "").lstrip("/").lower()] = declared

    def declared(name: str) -> str:
        extension = name.rsplit(".", 1)[-1].lower()
        return overrides.get(name.lower()) or defaults.get(extension, "")

    return declared


def _judge_relationships(archive, members) -> str | None:
    """Refuse what any relationship part points to; return the main part's name."""
    main = None
    for name, info in members.items():
        if not name.endswith(".rels"):
            continue
        for relation in _xml(archive, info):
            if relation.get("TargetMode", "").lower() == "external":
                raise _outside()
            kind = relation.get("Type", "")
            if OOXML_ACTIVE.search(kind):
                raise _macros()
            if ALT_CHUNK.search(kind):
                raise _alt_chunk()
            if WORKBOOK_FETCH.search(kind):
                raise _workbook_fetch()
            if kind == OFFICE_DOCUMENT and name == "_rels/.rels":
                main = _resolve("", relation.get("Target", ""))
    return main


def _reached(archive, members) -> set[str]:
    """Return the parts reached from _rels/.rels, following each reached part's relationships."""
    by_lower = {name.lower(): name for name in members}
    reached, todo = set(), [""]  # "" is the package itself, whose relationships are _rels/.rels
    while todo:
        folder, base = posixpath.split(todo.pop())
        rels = by_lower.get(posixpath.join(folder, "_rels", f"{base}.rels").lower())
        if rels is None:
            continue
        for relation in _xml(archive, members[rels]):
            name = by_lower.get(_resolve(folder, relation.get("Target", "")).lower())
            if name is not None and name not in reached:
                reached.add(name)
                todo.append(name)
    return reached


def _resolve(folder: str, target: str) -> str:
    """The part a relationship's target names: relative to its source's folder, or absolute."""
    target = unquote(target.split("#", 1)[0])
    path = target if target.startswith("/") else posixpath.join("/", folder, target)
    return posixpath.normpath(path).lstrip("/")


def _exempt(name: str) -> bool:
    """The parts that describe the package rather than belong to the document."""
    return name == "[Content_Types].xml" or name.endswith(("/", ".rels"))


class _OoxmlContent:
    """Expat handlers for one XML part of a Word or Excel package; a finding is a refusal.

    A complex field is `fldChar begin`, its code in instrText runs (split as Word
    pleases), `fldChar separate`, its result, `fldChar end`; fields nest, so the
    open ones are a stack. Only a code's first word says what the field does.
    A sheet has millions of elements: each costs one set lookup, and text is read
    only inside a field code or a formula.
    """

    def __init__(self, parser):
        self.parser = parser
        self.fields = []  # the open complex fields, innermost last: [code, still in code?]
        self.collected, self.size = [], 0  # the text of the field code or formula being read
        parser.StartElementHandler = self.start

    def start(self, name: str, attributes: dict) -> None:
        if name not in WATCHED:
            return
        if name in ALT_CHUNK_ELEMENT:
            raise _alt_chunk()
        if name in SIMPLE_FIELD:
            _judge_field(_value(attributes, "instr"))
        elif name in FIELD_CHAR:
            self._field_char(_value(attributes, "fldCharType"))
        else:
            self.collected, self.size = [], 0
            self.parser.CharacterDataHandler = self.text
            self.parser.EndElementHandler = self.end

    def text(self, data: str) -> None:
        self.size += len(data)
        if self.size > FORMULA_MAX:
            raise _damaged()  # no Office writes a field code or formula this long
        self.collected.append(data)

    def end(self, name: str) -> None:
        if name not in COLLECTED:
            return  # an element inside the one being read
        self.parser.CharacterDataHandler = self.parser.EndElementHandler = None
        if name in FIELD_CODE:
            self._field_code("".join(self.collected))
        else:
            _judge_formula("".join(self.collected))

    def _field_char(self, kind: str) -> None:
        if kind == "begin":
            if self.fields and self.fields[-1][1] and not self.fields[-1][0]:
                raise _fields()  # its first word would be what the inner field yields
            self.fields.append(["", True])
        elif kind in ("separate", "end") and self.fields:
            code, in_code = self.fields[-1]
            if in_code:
                _judge_field(code)
                self.fields[-1][1] = False
            if kind == "end":
                self.fields.pop()

    def _field_code(self, text: str) -> None:
        if not (self.fields and self.fields[-1][1]):
            _judge_field(text)  # a code outside any field: judged as Word might read it
            return
        code = self.fields[-1][0]
        self.fields[-1][0] = (code + text if code else text.lstrip())[:FIELD_HEAD]


def _judge_field(code: str) -> None:
    word = FIELD_WORD.match(code.lstrip()).group(1)
    if word.upper() in FETCHING_FIELDS:
        raise _fields()


def _judge_formula(formula: str) -> None:
    outside_quotes = FORMULA_QUOTED.sub("", formula)
    if "|" in outside_quotes or FETCHING_FUNCTIONS.search(outside_quotes):
        raise _formulas()


# --- OpenDocument text (ODT) ----------------------------------------------------------------


def _check_odt(archive, members) -> str | None:
    """An ODF text document without macros, scripts, DDE, OLE or content fetched from outside."""
    with archive.open(members["mimetype"]) as fh:
        mimetype = fh.read(len(ODT) + 2).strip()  # a few bytes, whatever its declared size
    if mimetype != ODT.encode():
        return None
    if any(n.lower().startswith(("basic/", "scripts/")) for n in members):
        raise _macros()
    manifest = members.get("META-INF/manifest.xml")
    if manifest is not None:
        for entry in _xml(archive, manifest):
            path = _attribute(entry, "full-path").lower()
            if path.startswith(("basic/", "scripts/")) or "script" in _attribute(
                entry, "media-type"
            ):
                raise _macros()
    content = [info for name, info in members.items() if posixpath.basename(name) in ODF_CONTENT]
    for info in _within_reading_time(content):
        _stream(archive, info, _OdfContent)
    return ODT


def _within_reading_time(parts: list[zipfile.ZipInfo]) -> list[zipfile.ZipInfo]:
    """Return the parts to read, refusing a document too large to read before a timeout."""
    if sum(info.file_size for info in parts) > CONTENT_MAX:
        raise Refused(
            _(
                "The document holds more text than the archive can check (%(max)s). Save it "
                "as PDF, or split it, and upload that."
            )
            % {"max": filesizeformat(CONTENT_MAX)}
        )
    return parts


class _OdfContent:
    """Expat handlers for one ODF part; a finding is a refusal."""

    def __init__(self, parser):
        parser.StartElementHandler = self.start

    def start(self, name: str, attributes: dict) -> None:
        # An empty office:event-listeners binds nothing; each binding is an event-listener
        # (script:, presentation:). A script is office:script or a text:script field.
        if name.endswith((" event-listener", " script", " object-ole", " applet")):
            raise _macros()
        if " dde-" in name:  # office:dde-source, text:dde-connection-decl(s), table:dde-link
            raise _fields()
        href = attributes.get(XLINK_HREF)
        if href and EXTERNAL_HREF.match(href) and _local(name) not in ODF_HYPERLINKS:
            raise _outside()


# --- What the person who uploaded it reads --------------------------------------------------


def _damaged() -> Refused:
    return Refused(_("The file is damaged (not a readable document)."))


def _bomb() -> Refused:
    return Refused(
        _(
            "The document would unpack to far more than its size (a compressed bomb, or a "
            "damaged file). Save it again from the original, or as PDF, and upload that."
        )
    )


def _macros() -> Refused:
    return Refused(
        _(
            "Documents with macros, ActiveX controls or embedded objects are not accepted; "
            "save it without them (for example as PDF) and upload that."
        )
    )


def _outside() -> Refused:
    return Refused(
        _(
            "The document links to files or addresses outside itself (a remote "
            "template, an external link or picture). Save a copy without links, "
            "or as PDF, and upload that."
        )
    )


def _fields() -> Refused:
    return Refused(
        _(
            "The document contains fields that fetch or run something outside it (DDE, "
            "INCLUDEPICTURE, INCLUDETEXT, LINK or IMPORT). Save a copy without them, or as "
            "PDF, and upload that."
        )
    )


def _alt_chunk() -> Refused:
    return Refused(
        _(
            "The document carries another document inside it (a chunk in another format, "
            "such as RTF or HTML, merged when it opens). Open it in Word and save a copy, "
            "or save it as PDF, and upload that."
        )
    )


def _formulas() -> Refused:
    return Refused(
        _(
            "The workbook contains formulas that start another program or fetch data from "
            "elsewhere (DDE such as cmd|…, WEBSERVICE, RTD). Replace them with their "
            "values, or save it as PDF, and upload that."
        )
    )


def _workbook_fetch() -> Refused:
    return Refused(
        _(
            "The workbook fetches data from outside itself when it opens or refreshes (a "
            "data connection, a web query or a link to another workbook). Save a copy "
            "without them (paste the values instead), or as PDF, and upload that."
        )
    )


def _unused() -> Refused:
    return Refused(
        _(
            "The document holds parts it does not use, which can hide another file. Open "
            "it and save it again (or save it as PDF), and upload that."
        )
    )
