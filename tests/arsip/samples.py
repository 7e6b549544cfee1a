"""Small real files of each kind the archive accepts or must refuse, made on the fly."""

import io
import zipfile

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dikecualikan.management.commands.seed_demo import tiny_pdf


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf(text="Dokumen rahasia"):
    return tiny_pdf([text])


def pdf_of_size(size: int) -> bytes:
    """A valid, inert PDF of exactly `size` bytes (an unused stream pads it)."""
    padding = size - len(pdf())
    for _attempt in range(5):
        document = pikepdf.open(io.BytesIO(pdf()))
        document.Root.Padding = document.make_stream(b"0" * max(padding, 0))
        out = io.BytesIO()
        document.save(out, compress_streams=False, static_id=True)
        data = out.getvalue()
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError(f"could not make a PDF of {size} bytes")


def _modified_pdf(change):
    document = pikepdf.open(io.BytesIO(pdf()))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_javascript():
    def add(document):
        action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        document.Root.OpenAction = document.make_indirect(action)

    return _modified_pdf(add)


def pdf_with_launch_action():
    def add(document):
        action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        document.Root.OpenAction = document.make_indirect(action)

    return _modified_pdf(add)


def pdf_with_embedded_file():
    def add(document):
        document.attachments["payload.exe"] = pikepdf.AttachedFileSpec(document, b"MZ\x90\x00")

    return _modified_pdf(add)


def image(kind="PNG"):
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, kind)
    return out.getvalue()


CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SHEET = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        "wordprocessingml.document.main+xml",
        f'<w:document xmlns:w="{W}"/>',
    ),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml", f'<workbook xmlns="{SHEET}"/>'),
}


def zipped(parts: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def relation(rid, kind, target, external=False):
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'


def ooxml(kind="docx", *, main_type=None, types=(), relations=(), part_relations=(), parts=None):
    """A minimal Office Open XML package as Word or Excel write it: declared types, relations."""
    main, subtype, body = MAIN_PARTS[kind]
    main_type = main_type or f"application/vnd.openxmlformats-officedocument.{subtype}"
    folder, name = main.split("/")
    files = {
        "[Content_Types].xml": (
            f'<Types xmlns="{CONTENT_TYPES}">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{main_type}"/>{"".join(types)}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELATIONSHIPS}">'
            f"{relation('rId1', f'{REL}/officeDocument', main)}{''.join(relations)}"
            "</Relationships>"
        ),
        main: body,
    }
    if part_relations:
        files[f"{folder}/_rels/{name}.rels"] = (
            f'<Relationships xmlns="{RELATIONSHIPS}">{"".join(part_relations)}</Relationships>'
        )
    files.update(parts or {})
    return zipped(files)


OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def odt(extra=None, manifest_entries=""):
    manifest = (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        f"{manifest_entries}</manifest:manifest>"
    )
    parts = {
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": f'<office:document-content xmlns:office="{OFFICE}" office:version="1.3"/>',
        "META-INF/manifest.xml": manifest,
    }
    return zipped({**parts, **(extra or {})}, zipfile.ZIP_STORED)


def office(kind):
    if kind in MAIN_PARTS:
        return ooxml(kind)
    if kind == "odt":
        return odt()
    if kind == "docm":  # a macro-enabled document, whatever its name says
        return ooxml(main_type="application/vnd.ms-word.document.macroEnabled.main+xml")
    if kind == "zip":
        return zipped({"readme.txt": "bukan dokumen kantor"})
    raise ValueError(kind)


EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
FAKE_PDF = b"%PDF-1.7\n<html><body><script>fetch('/steal')</script></body></html>\n"


def refused(response):
    """Follow a refused upload to the archive page, which shows why (the upload_form's errors).

    The refusal is a 303 to the page, so that refreshing it in a browser posts nothing again.
    """
    assert response.status_code == 303, response.status_code
    assert response.url.endswith("#upload")
    page = response.client.get(response.url)
    assert page.status_code == 200 and page.context["upload_form"].errors
    return page


# --- Realistic office documents, as Word, Excel and LibreOffice write them ------------------
# Each holds what a real document of the office holds (fields, headers, pictures, comments,
# numbering, a chart, a custom XML part), so a check that refuses too much shows here; the
# keyword arguments add one hostile thing to an otherwise ordinary document.

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_TYPE = "application/vnd.openxmlformats-officedocument"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def _types(overrides: dict, extra=()) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CONTENT_TYPES}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        + "".join(
            f'<Override PartName="/{name}" ContentType="{kind}"/>'
            for name, kind in overrides.items()
        )
        + "".join(extra)
        + "</Types>"
    )


def relationships(*relations) -> str:
    return f'<Relationships xmlns="{RELATIONSHIPS}">{"".join(relations)}</Relationships>'


def _doc_props(app="Microsoft Office Word") -> dict:
    return {
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>Daftar Informasi yang Dikecualikan</dc:title>"
            "<dc:creator>PPID KPU Kota Pontianak</dc:creator></cp:coreProperties>"
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'extended-properties"><Application>{app}</Application></Properties>'
        ),
    }


def _package_rels(main: str) -> str:
    return relationships(
        relation("rId1", f"{REL}/officeDocument", main),
        relation("rId2", f"{PKG_REL}/metadata/core-properties", "docProps/core.xml"),
        relation("rId3", f"{REL}/extended-properties", "docProps/app.xml"),
    )


DOC_PROPS_TYPES = {
    "docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "docProps/app.xml": f"{OFFICE_TYPE}.extended-properties+xml",
}


def field(code: str, result: str = "1") -> str:
    """A complex field as Word writes it: begin, its code in a run, separate, result, end."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r><w:t>{result}</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def word_paragraph(*runs: str, style="") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def word_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


WORD_PICTURE = (
    f'<w:r><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" '
    f'name="Logo KPU"/><a:graphic><a:graphicData uri="{PIC}"><pic:pic><pic:blipFill>'
    '<a:blip r:embed="rIdImage"/></pic:blipFill></pic:pic></a:graphicData></a:graphic>'
    "</wp:inline></w:drawing></w:r>"
)


def docx_document(*, body="", parts=None, rels=(), types=(), header="") -> bytes:
    """A Word document: styles, numbering, header and footer with PAGE and NUMPAGES, a logo,
    a comment, a table of contents, hyperlinks, a merge field and a custom XML part."""
    names = f'xmlns:w="{W}" xmlns:r="{REL}" xmlns:wp="{WP}" xmlns:a="{A}" xmlns:pic="{PIC}"'
    toc = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r></w:p>'
        + word_paragraph(
            field('HYPERLINK \\l "_Toc1"', "Bab I Pendahuluan"), field("PAGEREF _Toc1 \\h")
        )
        + '<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    document = (
        f"<w:document {names}><w:body>"
        + toc
        + word_paragraph(word_run("Bab I Pendahuluan"), style="Heading1")
        + word_paragraph(
            '<w:commentRangeStart w:id="0"/>',
            word_run("Daftar ini ditetapkan pada "),
            field('DATE \\@ "d MMMM yyyy"', "2 Desember 2026"),
            '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>',
        )
        + '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        + word_run("Salinan daftar pemilih")
        + "</w:p>"
        + word_paragraph(
            field('HYPERLINK "https://jdih.kpu.go.id/" \\o "JDIH KPU"', "JDIH KPU"),
            field("REF _Ref12345 \\h", "Pasal 17"),
            field("MERGEFIELD Nama_Pemohon", "«Nama_Pemohon»"),
            '<w:fldSimple w:instr=" SEQ Tabel \\* ARABIC "><w:r><w:t>1</w:t></w:r></w:fldSimple>',
        )
        + word_paragraph(WORD_PICTURE)
        + body
        + '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeader"/>'
        '<w:footerReference w:type="default" r:id="rIdFooter"/></w:sectPr>'
        "</w:body></w:document>"
    )
    word = f"{OFFICE_TYPE}.wordprocessingml"
    overrides = {
        "word/document.xml": f"{word}.document.main+xml",
        "word/styles.xml": f"{word}.styles+xml",
        "word/settings.xml": f"{word}.settings+xml",
        "word/numbering.xml": f"{word}.numbering+xml",
        "word/comments.xml": f"{word}.comments+xml",
        "word/header1.xml": f"{word}.header+xml",
        "word/footer1.xml": f"{word}.footer+xml",
        "customXml/itemProps1.xml": f"{OFFICE_TYPE}.customXmlProperties+xml",
        **DOC_PROPS_TYPES,
    }
    files = {
        "[Content_Types].xml": _types(overrides, types),
        "_rels/.rels": _package_rels("word/document.xml"),
        "word/document.xml": document,
        "word/_rels/document.xml.rels": relationships(
            relation("rIdStyles", f"{REL}/styles", "styles.xml"),
            relation("rIdSettings", f"{REL}/settings", "settings.xml"),
            relation("rIdNumbering", f"{REL}/numbering", "numbering.xml"),
            relation("rIdComments", f"{REL}/comments", "comments.xml"),
            relation("rIdHeader", f"{REL}/header", "header1.xml"),
            relation("rIdFooter", f"{REL}/footer", "footer1.xml"),
            relation("rIdImage", f"{REL}/image", "media/image1.png"),
            relation("rIdCustom", f"{REL}/customXml", "../customXml/item1.xml"),
            *rels,
        ),
        "word/styles.xml": (
            f'<w:styles xmlns:w="{W}"><w:style w:type="paragraph" w:styleId="Heading1">'
            '<w:name w:val="heading 1"/></w:style></w:styles>'
        ),
        "word/settings.xml": f'<w:settings xmlns:w="{W}"><w:zoom w:percent="100"/></w:settings>',
        "word/numbering.xml": (
            f'<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0">'
            '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
            '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>'
        ),
        "word/comments.xml": (
            f'<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="PPID">'
            + word_paragraph(word_run("Periksa tanggal Keputusan."))
            + "</w:comment></w:comments>"
        ),
        "word/header1.xml": (
            f'<w:hdr xmlns:w="{W}" xmlns:r="{REL}">'
            + word_paragraph(word_run("KPU Kota Pontianak"))
            + header
            + "</w:hdr>"
        ),
        "word/footer1.xml": (
            f'<w:ftr xmlns:w="{W}">'
            + word_paragraph(
                word_run("Halaman "),
                '<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>',
                word_run(" dari "),
                field("NUMPAGES \\* MERGEFORMAT"),
            )
            + "</w:ftr>"
        ),
        "word/media/image1.png": image("PNG"),
        "customXml/item1.xml": '<b:Sources xmlns:b="urn:example:bibliography"/>',
        "customXml/itemProps1.xml": (
            '<ds:datastoreItem ds:itemID="{6B9A1C3E-0000-4000-8000-000000000001}" '
            'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>'
        ),
        "customXml/_rels/item1.xml.rels": relationships(
            relation("rId1", f"{REL}/customXmlProps", "itemProps1.xml")
        ),
        **_doc_props(),
    }
    files.update(parts or {})
    return zipped(files)


def xlsx_workbook(*, formula="SUM(B2:B4)", parts=None, rels=(), sheet_rels=(), types=()):
    """An Excel workbook: a sheet of formulas (one with a string holding "|"), shared
    strings, styles, a defined name, and a chart drawn from the sheet."""
    sheet_type = f"{OFFICE_TYPE}.spreadsheetml"
    overrides = {
        "xl/workbook.xml": f"{sheet_type}.sheet.main+xml",
        "xl/worksheets/sheet1.xml": f"{sheet_type}.worksheet+xml",
        "xl/sharedStrings.xml": f"{sheet_type}.sharedStrings+xml",
        "xl/styles.xml": f"{sheet_type}.styles+xml",
        "xl/drawings/drawing1.xml": f"{OFFICE_TYPE}.drawing+xml",
        "xl/charts/chart1.xml": f"{OFFICE_TYPE}.drawingml.chart+xml",
        **DOC_PROPS_TYPES,
    }
    cells = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>12</v></c></row>'
        '<row r="3"><c r="B3"><v>5</v></c></row><row r="4"><c r="B4"><v>1</v></c></row>'
        f'<row r="5"><c r="B5"><f>{formula}</f><v>18</v></c>'
        '<c r="C5" t="str"><f>IF(B5&gt;10,"banyak | lihat lampiran","sedikit")</f>'
        "<v>banyak | lihat lampiran</v></c>"
        '<c r="D5"><f>COUNTIF(\'Rekap|2026\'!A:A,"&lt;&gt;")+Jumlah</f><v>0</v></c>'
        '<c r="E5" t="str"><f>CONCATENATE(A2," ""|"" ",TEXT(B2,"0"))</f><v>x</v></c></row>'
    )
    files = {
        "[Content_Types].xml": _types(overrides, types),
        "_rels/.rels": _package_rels("xl/workbook.xml"),
        "xl/workbook.xml": (
            f'<workbook xmlns="{SHEET}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Rekap" sheetId="1" r:id="rId1"/></sheets><definedNames>'
            '<definedName name="Jumlah">Rekap!$B$2:$B$4</definedName></definedNames></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": relationships(
            relation("rId1", f"{REL}/worksheet", "worksheets/sheet1.xml"),
            relation("rId2", f"{REL}/sharedStrings", "sharedStrings.xml"),
            relation("rId3", f"{REL}/styles", "styles.xml"),
            *rels,
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{SHEET}" xmlns:r="{REL}"><sheetData>{cells}</sheetData>'
            '<drawing r:id="rId1"/></worksheet>'
        ),
        "xl/worksheets/_rels/sheet1.xml.rels": relationships(
            relation("rId1", f"{REL}/drawing", "../drawings/drawing1.xml"), *sheet_rels
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{SHEET}" count="3" uniqueCount="3"><si><t>Informasi</t></si>'
            "<si><t>Jumlah</t></si><si><t>Daftar pemilih | DPT</t></si></sst>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{SHEET}"><fonts count="1"><font><sz val="11"/></font></fonts>'
            "</styleSheet>"
        ),
        "xl/drawings/drawing1.xml": (
            f'<xdr:wsDr xmlns:xdr="{XDR}" xmlns:a="{A}" xmlns:c="{C}" xmlns:r="{REL}">'
            "<xdr:twoCellAnchor><xdr:graphicFrame><a:graphic>"
            f'<a:graphicData uri="{C}"><c:chart r:id="rId1"/></a:graphicData></a:graphic>'
            "</xdr:graphicFrame></xdr:twoCellAnchor></xdr:wsDr>"
        ),
        "xl/drawings/_rels/drawing1.xml.rels": relationships(
            relation("rId1", f"{REL}/chart", "../charts/chart1.xml")
        ),
        "xl/charts/chart1.xml": (
            f'<c:chartSpace xmlns:c="{C}"><c:chart><c:plotArea><c:barChart><c:ser>'
            "<c:val><c:numRef><c:f>Rekap!$B$2:$B$4</c:f></c:numRef></c:val>"
            "</c:ser></c:barChart></c:plotArea></c:chart></c:chartSpace>"
        ),
        **_doc_props("Microsoft Excel"),
    }
    files.update(parts or {})
    return zipped(files)


ODF = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "script": "urn:oasis:names:tc:opendocument:xmlns:script:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}
ODF_NAMES = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in ODF.items())


def odt_document(*, body="", scripts="", styles="", extra=None) -> bytes:
    """A LibreOffice text document: a hyperlink, a picture and a chart object of its own."""
    content = (
        f'<office:document-content {ODF_NAMES} office:version="1.3">'
        f"<office:scripts>{scripts}</office:scripts><office:body><office:text>"
        '<text:p text:style-name="P1">Lihat <text:a xlink:type="simple" '
        'xlink:href="https://jdih.kpu.go.id/">JDIH KPU</text:a> dan '
        '<text:a xlink:href="#Lampiran">lampiran</text:a>.</text:p>'
        '<text:p><draw:frame draw:name="Logo" svg:width="2cm" svg:height="2cm">'
        '<draw:image xlink:href="Pictures/logo.png" xlink:type="simple" xlink:show="embed" '
        'xlink:actuate="onLoad"/></draw:frame>'
        '<draw:frame draw:name="Grafik"><draw:object xlink:href="./Object 1" '
        'xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        '<draw:image xlink:href="./ObjectReplacements/Object 1"/></draw:frame></text:p>'
        f"{body}</office:text></office:body></office:document-content>"
    )
    manifest_entries = "".join(
        f'<manifest:file-entry manifest:full-path="{path}" manifest:media-type="{kind}"/>'
        for path, kind in [
            ("styles.xml", "text/xml"),
            ("Pictures/logo.png", "image/png"),
            ("Object 1/", "application/vnd.oasis.opendocument.chart"),
            ("Object 1/content.xml", "text/xml"),
            ("ObjectReplacements/Object 1", "application/x-openoffice-gdimetafile"),
        ]
    )
    parts = {
        "content.xml": content,
        "styles.xml": (
            f'<office:document-styles {ODF_NAMES} office:version="1.3"><office:styles>'
            f"{styles}</office:styles></office:document-styles>"
        ),
        "Pictures/logo.png": image("PNG"),
        "Object 1/content.xml": (
            f'<office:document-content {ODF_NAMES} office:version="1.3"><office:body>'
            "<office:chart/></office:body></office:document-content>"
        ),
        "ObjectReplacements/Object 1": b"\x01\x00\x00\x00gdi",
        **(extra or {}),
    }
    return odt(parts, manifest_entries)
