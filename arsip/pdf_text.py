"""The text layer of a PDF: the words a reader can select and search, if it has any.

A redacted copy is checked for words that should have been blacked out; a scan has no
text layer, and then there is nothing to read (the person who confirms the copy looks).
pikepdf (our parser) gives the content streams but not their text: turning glyphs into
words needs each font's encoding and ToUnicode map, which pypdf reads. The file has
passed validation.check_pdf first (inert, intact, bounded in objects), and pypdf bounds
what it decompresses; only the first pages are read.
"""

import logging

logger = logging.getLogger(__name__)

MAX_PAGES = 200


def text_of(file, max_pages: int = MAX_PAGES) -> str | None:
    """Return the text of the PDF's first pages ("" without a text layer), or None if unread."""
    from pypdf import PdfReader

    file.seek(0)
    try:
        reader = PdfReader(file)
        return "\n".join(page.extract_text() or "" for page in reader.pages[:max_pages])
    except Exception:  # a PDF pypdf cannot read is no refusal: the warning is a courtesy
        logger.warning("The text layer of an uploaded PDF could not be read", exc_info=True)
        return None
    finally:
        file.seek(0)
