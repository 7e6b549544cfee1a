"""The PDF walker finds active content wherever it is written, direct objects included."""

import io
import time
import zipfile

import pikepdf
import pytest

from arsip.pdf_walk import TooComplex, active_content
from tests.arsip import hostile_pdfs as hostile

LIMIT = 100_000


def walk(data: bytes, max_objects: int = LIMIT) -> str | None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return active_content(pdf, max_objects=max_objects)


def test_the_base_pdf_is_inert():
    assert walk(hostile.inert_pdf()) is None


def test_an_open_action_written_as_a_direct_dictionary_is_found():
    data = hostile.open_action_javascript_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.OpenAction.objgen == (0, 0)  # what a walk of pdf.objects misses
    assert walk(data) == "javascript"


def test_an_additional_action_on_a_page_that_prints_is_found():
    assert walk(hostile.page_additional_action_pdf()) == "action"


def test_an_additional_action_in_the_catalog_is_found():
    assert walk(hostile.catalog_additional_action_pdf()) == "javascript"


def test_a_link_that_launches_a_program_is_found():
    assert walk(hostile.link_launch_pdf()) == "action"


def test_a_link_that_submits_a_form_is_found():
    assert walk(hostile.link_submit_form_pdf()) == "action"


def test_a_link_that_imports_data_is_found():
    assert walk(hostile.import_data_pdf()) == "action"


def test_an_action_going_to_an_embedded_document_is_found():
    assert walk(hostile.goto_embedded_pdf()) == "action"


def test_a_document_level_javascript_name_tree_is_found():
    assert walk(hostile.names_javascript_pdf()) == "javascript"


def test_an_xfa_form_is_found():
    assert walk(hostile.xfa_form_pdf()) == "xfa"


def test_a_file_attachment_annotation_is_found_even_without_the_file_inside():
    assert walk(hostile.file_attachment_annotation_pdf()) == "embedded_file"


def test_an_embedded_file_stream_nothing_refers_to_is_found():
    data = hostile.orphan_embedded_file_pdf()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Names" not in pdf.Root  # reachable only through pdf.objects
    assert walk(data) == "embedded_file"


def test_an_attachment_added_the_usual_way_is_found():
    pdf = pikepdf.open(io.BytesIO(hostile.inert_pdf()))
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00")
    out = io.BytesIO()
    pdf.save(out)
    assert walk(out.getvalue()) == "embedded_file"


def test_an_associated_file_whose_stream_has_no_type_is_found():
    assert walk(hostile.associated_file_pdf()) == "embedded_file"


def test_a_rich_media_annotation_is_found():
    assert walk(hostile.rich_media_pdf()) == "rich_media"


def test_javascript_chained_by_next_after_a_harmless_go_to_is_found():
    assert walk(hostile.next_chain_pdf()) == "javascript"


def test_javascript_deep_in_direct_arrays_and_dictionaries_of_page_resources_is_found():
    assert walk(hostile.nested_javascript_pdf()) == "javascript"


def test_an_outline_item_running_javascript_is_found():
    assert walk(hostile.outline_javascript_pdf()) == "javascript"


def test_an_inert_object_that_refers_to_itself_ends_the_walk_and_is_inert():
    assert walk(hostile.inert_cycle_pdf()) is None


def test_a_uri_link_and_an_open_action_destination_are_plain_navigation():
    assert walk(hostile.harmless_navigation_pdf()) is None


def test_dictionaries_with_an_s_that_are_not_actions_are_not_mistaken_for_actions():
    assert walk(hostile.inert_structures_using_s_pdf()) is None


def test_a_uri_that_is_a_script_is_javascript():
    assert walk(hostile.javascript_uri_pdf()) == "javascript"


def test_a_uri_that_names_a_network_share_is_a_link_that_is_refused():
    assert walk(hostile.unc_uri_pdf()) == "link"


def test_names_spelt_with_hex_escapes_are_found():
    assert walk(hostile.escaped_names_pdf()) == "javascript"


def test_an_indirect_action_met_first_as_plain_data_is_still_judged_as_an_action():
    assert walk(hostile.action_met_first_as_data_pdf()) == "action"


def test_more_objects_than_allowed_is_too_complex():
    with pytest.raises(TooComplex):
        walk(hostile.inert_pdf(), max_objects=5)


def test_a_huge_array_is_refused_before_it_is_read():
    data = hostile.huge_array_pdf()
    started = time.monotonic()
    with pytest.raises(TooComplex):
        walk(data, max_objects=10_000)
    assert time.monotonic() - started < 1


def test_an_owner_only_encrypted_pdf_is_walked_after_qpdf_decrypts_it():
    assert walk(hostile.owner_only_encrypted_pdf()) is None


# The samples for the caller's other checks are what they claim to be.


def test_the_repaired_sample_opens_only_after_qpdf_rebuilds_its_xref():
    data = hostile.repaired_pdf()
    with pytest.raises(pikepdf.PdfError):
        pikepdf.open(io.BytesIO(data), attempt_recovery=False)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert any("reconstruct cross-reference table" in w for w in pdf.get_warnings())
    with pikepdf.open(io.BytesIO(hostile.inert_pdf())) as pdf:
        assert pdf.get_warnings() == []


def test_the_polyglot_sample_is_both_a_pdf_and_a_zip():
    data = hostile.polyglot_pdf()
    assert zipfile.is_zipfile(io.BytesIO(data))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1


def test_the_incremental_update_sample_opens_cleanly_with_its_second_revision():
    with pikepdf.open(io.BytesIO(hostile.incremental_update_pdf())) as pdf:
        assert str(pdf.docinfo.Title) == "Revisi 2"
        assert str(pdf.Root.Lang) == "id"
        assert len(pdf.pages) == 1
        assert pdf.get_warnings() == []


def test_the_encrypted_samples_need_the_passwords_they_claim():
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(hostile.encrypted_pdf()))
    with pikepdf.open(io.BytesIO(hostile.encrypted_pdf()), password="y") as pdf:
        assert pdf.is_encrypted
    with pikepdf.open(io.BytesIO(hostile.owner_only_encrypted_pdf())) as pdf:
        assert pdf.is_encrypted
