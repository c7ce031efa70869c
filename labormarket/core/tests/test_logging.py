import logging

from labormarket.core.logging import MaskIinFilter, mask_iin_text


def test_mask_iin_text_masks_every_twelve_digit_number_only():
    assert mask_iin_text("person 850101300123 and bin 150340012345") == (
        "person 8501******** and bin 1503********"
    )
    assert mask_iin_text("phone +77012345678 id 1234567890123") == (
        "phone +77012345678 id 1234567890123"
    )


def test_filter_rewrites_records_with_arguments():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "lookup %s failed", ("850101300123",), None
    )
    assert MaskIinFilter().filter(record) is True
    assert record.getMessage() == "lookup 8501******** failed"
