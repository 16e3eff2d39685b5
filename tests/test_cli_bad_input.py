"""Issue 11: bad numbers and malformed source files give one ``error:`` line and exit status 2.

Each case runs the real command line in-process and asserts the exit status, that stderr is exactly
one line naming the problem, and that nothing was printed on stdout (no partial result).
"""

from __future__ import annotations

import json
import re

import pytest

from screening.cli import main

BIG = "9" * 400
LI2O_REFS = [{"composition": "Li", "energy": -1.9}, {"composition": "O2", "energy": -9.86}]


def _json(entries) -> bytes:
    return json.dumps(entries).encode()


# (id, file name or None, file content, argv after the command, message regex)
CASES = [
    ("400-digit-amount", None, None, ["window", f"Li{BIG}O"],
     r"cannot parse formula 'Li9{30}.*amount 9{6}\.\.\.\(400 digits\) exceeds 1e\+06"),
    ("400-digit-react", None, None, ["react", f"Li{BIG}O", "Li"], r"amount .*400 digits.* exceeds"),
    ("400-digit-group", None, None, ["decompose", f"(LiO){BIG}"], r"exceeds 1e\+06"),
    ("400-digit-coefficient", None, None, ["window", f"{BIG}Li2S-30P2S5"], r"exceeds 1e\+06"),
    ("amount-above-1e6", None, None, ["window", "Li2000000O"], r"amount 2000000 exceeds 1e\+06"),
    ("voltage-1e308", None, None, ["react", "LiCoO2", "Li2O", "--voltage", "1e308"], r"above 10 V vs Li/Li\+"),
    ("voltage-1e20", None, None, ["react", "LiCoO2", "Li2O", "--voltage", "1e20"], r"voltage 1e\+20 V is above 10 V"),
    ("voltage-nan", None, None, ["decompose", "Li2O", "--voltage", "nan"], r"voltage nan is not a finite number"),
    ("voltage-inf", None, None, ["react", "Li2O", "LiCoO2", "--voltage", "inf"], r"not a finite number"),
    ("voltage-negative", None, None, ["decompose", "Li2O", "--voltage", "-1"], r"is negative"),
    ("csv-energy-1e300", "e.csv", b"formula,target\nLi2O,1e300\n", ["window", "Li2O"],
     r"'e:row1' \(Li2O\) of .*e\.csv' has a formation energy of 1e\+300 eV/atom, outside \+-10 eV/atom"),
    ("csv-energy-minus-50", "e.csv", b"formula,target\nLi2O,-2.1\nLiO,-50\n", ["window", "Li2O"],
     r"'e:row2' \(LiO\).* -50 eV/atom, outside"),
    ("csv-energy-nan", "e.csv", b"formula,target\nLi2O,nan\n", ["window", "Li2O"], r"non-finite energy nan"),
    ("csv-energy-word", "e.csv", b"formula,target\nLi2O,abc\n", ["window", "Li2O"],
     r"line 2: energy 'abc' is not a number"),
    ("csv-formula-400-digits", "e.csv", f"formula,target\nLi{BIG}O,-1\n".encode(), ["window", "Li2O"],
     r"line 2: cannot parse formula"),
    ("json-energy-string", "s.json", _json([{"composition": {"Li": 2, "O": 1}, "energy": "abc"}, *LI2O_REFS]),
     ["window", "Li2O"], r"entry 0 of .*s\.json': energy 'abc' is not a finite number \[eV\]"),
    ("json-energy-null", "s.json", _json([{"composition": "Li2O", "energy": None}, *LI2O_REFS]),
     ["window", "Li2O"], r"energy None is not a finite number"),
    ("json-energy-bool", "s.json", _json([{"composition": "Li2O", "energy": True}, *LI2O_REFS]),
     ["window", "Li2O"], r"energy True is not a finite number"),
    ("json-list-of-ints", "s.json", b"[1, 2, 3]", ["window", "Li2O"], r"entry 0 of .* is a int \(1\), not a dict"),
    ("json-list-of-lists", "s.json", b"[[1], [2]]", ["window", "Li2O"], r"is a list .*not a dict"),
    ("json-entries-not-list", "s.json", b'{"entries": 5}', ["window", "Li2O"], r"must be a non-empty list"),
    ("json-no-composition", "s.json", _json([{"energy": -14.0}]), ["window", "Li2O"], r"has no composition"),
    ("json-composition-number", "s.json", _json([{"composition": 5, "energy": -1.0}]), ["window", "Li2O"],
     r"composition '5' is neither a formula nor a mapping"),
    ("json-composition-bad-amount", "s.json", _json([{"composition": {"Li": "two"}, "energy": -1.0}]),
     ["window", "Li2O"], r"amount of 'Li' is 'two', not a number"),
    ("json-composition-bad-symbol", "s.json", _json([{"composition": "Xx2O", "energy": -1.0}]),
     ["window", "Li2O"], r"'Xx' is not an element symbol"),
    ("json-one-entry-no-refs", "s.json", _json([{"composition": "Li2O", "energy": -14.3}]), ["window", "Li2O"],
     r"has no elemental entries \(e\.g\. Li, O2\).*add them"),
    ("json-pymatgen-dict-no-refs", "s.json", _json([{"@module": "pymatgen.entries.computed_entries",
     "@class": "ComputedEntry", "composition": {"Li": 2, "O": 1}, "energy": -14.3, "correction": 0}]),
     ["window", "Li2O"], r"has no elemental entries"),
    # issue 26: named sources listed, no developer path
    ("source-missing", None, None, ["window", "LiNbO3", "--source", "foo"],
     r"^(?!.*shared/data)error: snapshot file 'foo' does not exist; .*mp2019 \(the default.*experimental.*mp "),
    # issue 26, F3: the same bounds as the config's electronic.reaction_tolerance / gap_threshold
    ("reaction-tolerance-nan", None, None, ["react", "Li", "Li3PO4", "--reaction-tolerance", "nan"],
     r"--reaction-tolerance = nan is not a finite number: give a number from 0 to 1 eV/atom"),
    ("reaction-tolerance-negative", None, None, ["react", "Li", "Li3PO4", "--reaction-tolerance", "-5"],
     r"--reaction-tolerance = -5 is outside the sane range: give a number from 0 to 1 eV/atom"),
    ("reaction-tolerance-1e308", None, None, ["react", "Li", "Li3PO4", "--reaction-tolerance", "1e308"],
     r"--reaction-tolerance = 1e\+308 is outside"),
    ("gap-threshold-inf", None, None, ["window", "Li3PO4", "--gap-threshold", "inf"],
     r"--gap-threshold = inf is not a finite number: give a number from 0 to 20 eV"),
    ("json-energy-1e300", "s.json", _json([{"composition": "Li2O", "energy": 1e300}, *LI2O_REFS]),
     ["window", "Li2O"], r"formation energy of 3\.3\d*e\+299 eV/atom, outside \+-10"),
]


@pytest.mark.parametrize(("name", "content", "argv", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2(capsys, tmp_path, name, content, argv, message):
    argv = list(argv)
    if name is not None:
        (tmp_path / name).write_bytes(content)
        argv += ["--source", str(tmp_path / name)]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""  # no partial result
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert len(lines[0]) < 400, lines[0]  # a 400-digit input is not echoed back in full
    assert re.search(message, lines[0]), lines[0]


def test_plain_composition_energy_dicts_are_a_source(capsys, tmp_path):
    """``{"composition", "energy"}`` dicts (total eV per formula unit) work like ComputedEntry dicts."""
    p = tmp_path / "plain.json"
    p.write_bytes(_json([{"composition": "Li2O", "energy": -14.3, "entry_id": "x-1"}, *LI2O_REFS]))
    assert main(["decompose", "Li2O", "--source", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)["result"]
    # E_f = (-14.3 - 2 (-1.9) - (-9.86 / 2)) / 3 [eV/atom]
    assert doc["entry_energy"] == pytest.approx((-14.3 + 3.8 + 4.93) / 3, abs=1e-12)
    assert doc["entry_id"] == "x-1"
