import datetime

import pytest
from django.utils import translation

from core.idcard import IdNumberError, half_width, id_birth_date, id_check_digit, id_is_male, id_make, id_validate


def test_id_check_digit_matches_published_example():
    # GB 11643-1999's worked example: 11010519491231002 → X.
    assert id_check_digit("11010519491231002") == "X"


def test_id_validate_normalises_full_width_spaces_and_lowercase_x():
    assert id_validate(" １１０１０５１９４９１２３１００２x ") == "11010519491231002X"


def test_id_validate_wrong_check_digit_says_which_in_chinese():
    with translation.override("zh-hans"), pytest.raises(IdNumberError) as exc:
        id_validate("110105194912310021")
    assert str(exc.value) == "身份证号码校验位错误（最后一位应为X）。"


def test_id_validate_rejects_impossible_birth_date():
    with pytest.raises(IdNumberError):
        id_validate("110105194902310020")  # 31 February


def test_id_validate_rejects_wrong_length():
    with pytest.raises(IdNumberError):
        id_validate("1101051949123100")


def test_id_make_round_trips_birth_date_and_gender():
    born = datetime.date(1971, 7, 1)
    number = id_make(area="430104", born=born, sequence=12, male=False)
    assert id_validate(number) == number
    assert id_birth_date(number) == born
    assert id_is_male(number) is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GX0000007", "GX0000007"),  # ASCII: as it is
        ("某公司", "某公司"),  # Chinese without full-width forms: as it is
        ("ＧＸ０００　７", "GX000 7"),  # full-width letters, digits and the ideographic space
        ("长沙（岳麓）１号。", "长沙(岳麓)1号。"),  # mixed: the full-width forms change, 。 and the words do not
        ("\uff01\uff5e", "!~"),  # both ends of the full-width block
        (1998.1, "1998.1"),
    ],
)
def test_half_width_changes_only_full_width_forms(raw, expected):
    assert half_width(raw) == expected
