"""Checks shared by the command-line tests: bad input is one clear line, exit 2."""


def assert_one_line_error(code: int, out: str, err: str, words=()) -> str:
    """Exit 2, nothing on stdout, one ``coprod: error:`` line naming ``words``; return it."""
    assert "Traceback" not in err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("coprod: error: ")
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert out == ""
    return lines[0]
