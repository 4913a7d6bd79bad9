from loopy import double, find


def test_double():
    assert double(2) == 4


def test_find_first():
    assert find([1, 2, 3], 1) == 0


def test_find_hangs():
    assert find([1, 2, 3], 3) == 2


def test_zzz_never_runs():
    assert double(3) == 6
