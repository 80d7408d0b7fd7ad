"""Reading the values people type: numbers, percentages, fractions, months, targets."""
from datetime import date, datetime

import pytest

from queries.cells import ParseError, from_excel_serial, parse_number
from queries.ingest.parse import (
    ValueLimits,
    check_plausible,
    parse_measure,
    parse_month,
    parse_target,
    parse_year,
    parse_yes_no,
    ratio,
)


@pytest.mark.parametrize("text, hint, expected", [
    ("80,44", False, 80.44),
    ("80.44", False, 80.44),
    ("1.234,5", False, 1234.5),
    ("1,234.5", False, 1234.5),
    ("1.234.567", False, 1234567),
    ("1,234,567", False, 1234567),
    ("1.000", True, 1000),  # a count: a thousand
    ("1.000", False, 1.0),  # a percentage: one
    ("2,5", True, 2.5),
    (" 5 219 ", True, 5219),
    ("5\u00a0219", True, 5219),
    ("\u22123", False, -3),  # the minus sign Word and Excel sometimes put in
    ("-12,5", False, -12.5),
    ("'42", False, 42),
    (",5", False, 0.5),
    (42, False, 42.0),
    (0.8044, False, 0.8044),
])
def test_numbers(text, hint, expected):
    assert parse_number(text, thousands_hint=hint) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "", "1,2,3", "12a", "1.2.3,4,5", "--1"])
def test_not_numbers(text):
    with pytest.raises(ParseError) as error:
        parse_number(text)
    assert str(error.value) == f"“{text}” không phải là số"


def test_a_date_is_not_a_number():
    with pytest.raises(ParseError, match="là ngày tháng, không phải là số"):
        parse_number(datetime(2026, 3, 1))


def test_percent_text_and_fraction():
    assert parse_measure("80,44%", "percent").value == 80.44
    assert parse_measure("80,44 %", "percent").value == 80.44
    reading = parse_measure("4227/5219", "percent")
    assert (reading.value, reading.numerator, reading.denominator) == (80.99, 4227, 5219)
    reading = parse_measure("4.399/5.469", "percent")  # thousands dots inside a fraction
    assert (reading.value, reading.numerator, reading.denominator) == (80.44, 4399, 5469)


def test_excel_percent_cell_is_scaled_once():
    assert parse_measure(0.8044, "percent", percent_format=True).value == 80.44
    assert parse_measure(1, "percent", percent_format=True).value == 100
    # The same number typed without % formatting is taken as typed, with a warning.
    reading = parse_measure(0.8044, "percent")
    assert reading.value == 0.8044
    assert reading.warning == "giá trị 0,8044 được hiểu là 0,8044 %; nếu ý là 80,44 % hãy ghi 80,44%"
    assert parse_measure("80,44", "percent").warning is None


def test_counts_and_rates():
    assert parse_measure("1.000", "count").value == 1000
    assert parse_measure("3/2500", "per_1000").value == 1.2
    with pytest.raises(ParseError, match="phân số chỉ dùng cho chỉ tiêu tỷ lệ"):
        parse_measure("3/5", "count")
    with pytest.raises(ParseError, match="là phần trăm nhưng chỉ tiêu này không tính bằng %"):
        parse_measure("50%", "count")
    with pytest.raises(ParseError, match=r"mẫu số bằng 0 \(4227/0\)"):
        parse_measure("4227/0", "percent")


@pytest.mark.parametrize("cell, expected", [
    ("Có", 1), ("có", 1), ("CO", 1), ("x", 1), ("Yes", 1), ("Đạt", 1), (True, 1), (1, 1),
    ("Không", 0), ("khong", 0), ("No", 0), ("Chưa", 0), (False, 0), (0, 0),
])
def test_yes_no(cell, expected):
    assert parse_yes_no(cell) == expected
    assert parse_measure(cell, "yes_no").value == expected


def test_yes_no_refuses_other_text():
    with pytest.raises(ParseError) as error:
        parse_yes_no("Có thể")
    assert str(error.value) == "“Có thể” không phải là Có/Không"


MARCH = date(2026, 3, 1)


@pytest.mark.parametrize("cell", [
    "03/2026", "3/2026", "T3/2026", "t3/2026", "T03/2026", "Tháng 3/2026", "tháng 03 năm 2026",
    "Thang 3 nam 2026", "THÁNG 3-2026", "2026-03", "2026/3", "01/03/2026", "15/03/2026",
    "2026-03-01", "2026-03-15 00:00:00", "3-2026", "03.2026",
    datetime(2026, 3, 1), date(2026, 3, 31), 46082, "46082",
])
def test_months(cell):
    assert parse_month(cell) == MARCH


def test_excel_serial_numbers():
    assert from_excel_serial(46082) == date(2026, 3, 1)
    assert from_excel_serial(45658) == date(2025, 1, 1)


@pytest.mark.parametrize("cell, message", [
    ("13/2026", "tháng 13 trong “13/2026” không hợp lệ"),
    ("abc", "“abc” không phải là tháng (ví dụ đúng: 03/2026 hoặc Tháng 3/2026)"),
    ("31/02/2026", "“31/02/2026” không phải là ngày có thật"),
    ("03/1890", "năm 1890 trong “03/1890” không hợp lệ"),
    (12, "“12” không phải là tháng"),
])
def test_bad_months(cell, message):
    with pytest.raises(ParseError) as error:
        parse_month(cell)
    assert str(error.value) == message


def test_years():
    assert parse_year(2026) == 2026
    assert parse_year(2026.0) == 2026
    assert parse_year("Năm 2026") == 2026
    with pytest.raises(ParseError, match="không phải là năm"):
        parse_year("hai không")


@pytest.mark.parametrize("cell, unit, comparator, value", [
    ("≥ 95%", "percent", ">=", 95),
    (">= 95", "percent", ">=", 95),
    ("> 80", "percent", ">", 80),
    (">80%", "percent", ">", 80),
    ("100%", "percent", ">=", 100),
    ("trên 80%", "percent", ">", 80),
    ("Tối thiểu 50%", "percent", ">=", 50),
    ("ít nhất 60%", "percent", ">=", 60),
    ("đạt 90%", "percent", ">=", 90),
    ("≤ 5", "count", "<=", 5),
    ("≥ 01", "count", ">=", 1),
    ("01 doanh nghiệp/1.000 dân", "per_1000", ">=", 1),
    ("Có", "yes_no", ">=", 1),
    ("100%", "yes_no", ">=", 1),
    (95, "percent", ">=", 95),
])
def test_targets(cell, unit, comparator, value):
    target = parse_target(cell, unit)
    assert (target.comparator, target.value) == (comparator, value)


def test_target_keeps_the_plan_wording_and_reads_excel_percent():
    assert parse_target("≥ 95%", "percent").text == "≥ 95%"
    target = parse_target(0.95, "percent", percent_format=True)
    assert (target.comparator, target.value, target.text) == (">=", 95, "95 %")


def test_target_without_number():
    with pytest.raises(ParseError) as error:
        parse_target("cao", "percent")
    assert str(error.value) == "không đọc được số trong mục tiêu “cao” (ví dụ đúng: ≥ 95%)"


# ---- absurd values: never infinity, never NaN, never a crash -----------------------


@pytest.mark.parametrize("cell, reason", [
    ("9" * 400, "quá lớn, không phải là số hợp lệ"),  # float() of it is infinity
    ("1" + ".000" * 103, "quá lớn, không phải là số hợp lệ"),  # thousands groups past 1e308
    (10 ** 400, "không phải là số hữu hạn"),  # an int beyond any float: was an OverflowError
    (float("inf"), "không phải là số hữu hạn"),
    (float("-inf"), "không phải là số hữu hạn"),
])
def test_numbers_beyond_any_float_are_refused(cell, reason):
    with pytest.raises(ParseError, match=reason):
        parse_number(cell, thousands_hint=True)


def test_messages_name_a_huge_cell_briefly():
    with pytest.raises(ParseError) as error:
        parse_number("9" * 400)
    assert str(error.value) == f"“{'9' * 39}…” quá lớn, không phải là số hợp lệ"


@pytest.mark.parametrize("cell", [float("inf"), float("nan"), 2026.5, -2026, True])
def test_years_that_are_not_years(cell):
    with pytest.raises(ParseError):
        parse_year(cell)


def test_a_fraction_of_two_huge_numbers_is_refused_not_nan():
    with pytest.raises(ParseError, match="tử số và mẫu số quá lớn"):
        ratio(1.7e308, 1e-300, "percent", "…")


@pytest.mark.parametrize("value, unit, message", [
    (float("nan"), "percent", "giá trị không phải là số hữu hạn (không xác định)"),
    (float("inf"), "count", "giá trị không phải là số hữu hạn (vô cùng)"),
    (100.01, "percent", "tỷ lệ 100,01 % nằm ngoài khoảng 0–100"),
    (0.5, "yes_no", "giá trị Có/Không phải là 1 (Có) hoặc 0 (Không), không phải 0,5"),
    (-1, "per_1000", "số lượng không được âm (-1)"),
    (1000.5, "per_1000", "tỷ lệ trên 1.000 dân 1.000,5 lớn hơn mức hợp lý 1.000; hãy kiểm tra lại số đã ghi"),
    (1e300, "count", "số lượng 1e+300 lớn hơn mức hợp lý 10.000.000; hãy kiểm tra lại số đã ghi"),
])
def test_plausible_values_per_unit(value, unit, message):
    with pytest.raises(ParseError) as error:
        check_plausible(value, unit, ValueLimits())
    assert str(error.value) == message


@pytest.mark.parametrize("value, unit", [(0, "percent"), (100, "percent"), (1, "yes_no"), (10_000_000, "count"),
                                         (1000, "per_1000"), (0, "count")])
def test_values_at_the_bounds_are_plausible(value, unit):
    check_plausible(value, unit, ValueLimits())


def test_value_limits_come_from_settings_and_ignore_nonsense():
    assert ValueLimits.from_settings({"max_count": 500, "max_per_1000": "2000"}) == ValueLimits(500, 2000)
    assert ValueLimits.from_settings({"max_count": "abc", "max_per_1000": -1}) == ValueLimits()
    assert ValueLimits.from_settings(None) == ValueLimits()
