"""Tests of the credmatch Python module on the small fixture catalog (tests/data/match).

match / gap / path must return exactly what `credmatch ... --json` prints, and rank exactly the
rows `credmatch rank` writes, so most tests compare the module with the CLI on the same input.
"""
import math
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import credmatch

ANALYST_SKILLS = ["Write SQL queries to select and filter records", "Excel spreadsheets"]


def without_timing(result):
    result = dict(result)
    result.pop("milliseconds", None)
    return result


# --- opening ------------------------------------------------------------------------------------


def test_open_missing_directory_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such catalog directory"):
        credmatch.Catalog(str(tmp_path / "nope"))


def test_open_directory_without_catalog_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="credmatch build"):
        credmatch.Catalog(tmp_path)  # os.PathLike accepted


def test_open_corrupt_catalog_raises_catalog_error(tmp_path, catalog_dir):
    broken = tmp_path / "broken"
    shutil.copytree(catalog_dir, broken)
    index = broken / "competencies.index"
    data = index.read_bytes()
    index.write_bytes(data[: len(data) // 2])
    with pytest.raises(credmatch.CatalogError, match="competencies.index"):
        credmatch.Catalog(str(broken))
    assert issubclass(credmatch.CatalogError, RuntimeError)


def test_properties_agree_with_cli_info(cat, cli_json, catalog_dir):
    info = cli_json("info")
    assert cat.encoder_id == info["encoder"]["id"]
    assert len(cat) == info["counts"]["matchable_competencies"]
    assert cat.num_credentials == info["counts"]["credentials"] == 10
    assert cat.dim > 0
    assert os.path.samefile(cat.directory, catalog_dir)
    assert "10 credentials" in repr(cat)


def test_competency_and_credential_lookup(cat):
    first = cat.competency(0)
    assert set(first) == {"id", "credential_id", "text", "kind"}
    assert cat.competency(-1) == cat.competency(len(cat) - 1)
    with pytest.raises(IndexError, match="position"):
        cat.competency(len(cat))
    sql = cat.credential("t:sql")
    assert sql["title"] == "Databases and SQL"
    assert sql["hours"] == 5.0
    assert any("Join tables in SQL" == c["text"] for c in sql["competencies"])
    assert cat.credential("t:farm")["hours"] is None  # unknown hours stay unknown
    with pytest.raises(KeyError, match="t:nope"):
        cat.credential("t:nope")


# --- encode / search ----------------------------------------------------------------------------


def test_encode_returns_float32_unit_rows(cat):
    texts = ["Write SQL queries", "Administer medication to patients", "zzzz qqqq"]
    v = cat.encode(texts)
    assert v.dtype == np.float32
    assert v.shape == (3, cat.dim)
    assert v.flags["C_CONTIGUOUS"]
    norms = np.linalg.norm(v, axis=1)
    np.testing.assert_allclose(norms[:2], 1.0, atol=1e-5)
    assert norms[2] == 0.0 or abs(norms[2] - 1.0) < 1e-5  # no known feature: all zero
    np.testing.assert_array_equal(cat.encode(texts[:1])[0], v[0])  # deterministic, per row
    assert cat.encode([]).shape == (0, cat.dim)
    assert cat.encode(t for t in texts).shape == (3, cat.dim)  # any iterable of str


def test_encode_rejects_bad_input(cat):
    with pytest.raises(TypeError, match="single str"):
        cat.encode("Write SQL queries")
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got int"):
        cat.encode(["ok", 3])
    with pytest.raises(TypeError, match="texts"):
        cat.encode(None)


def all_competency_vectors(cat):
    return cat.encode([cat.competency(i)["text"] for i in range(len(cat))])


def test_search_equals_brute_force_top_k(cat):
    base = all_competency_vectors(cat)
    queries = cat.encode(["write SQL queries", "monitor vital signs", "plot data", "git"])
    k = 5
    scores, ids = cat.search(queries, k)
    assert scores.dtype == np.float32 and ids.dtype == np.int64
    assert scores.shape == ids.shape == (4, k)
    brute = queries @ base.T
    for q in range(len(queries)):
        expected = np.sort(brute[q])[::-1][:k]
        np.testing.assert_allclose(scores[q], expected, atol=1e-5)
        np.testing.assert_allclose(brute[q][ids[q]], scores[q], atol=1e-5)  # ids carry those scores
        assert len(set(ids[q].tolist())) == k
    assert cat.competency(int(ids[0, 0]))["credential_id"] == "t:sql"


def test_search_accepts_strided_arrays_and_pads_beyond_size(cat):
    queries = cat.encode(["write SQL queries", "administer medication"])
    scores, ids = cat.search(queries, 3)
    fortran = np.asfortranarray(queries)
    s2, i2 = cat.search(fortran, 3)
    np.testing.assert_array_equal(ids, i2)
    np.testing.assert_array_equal(scores, s2)
    s3, i3 = cat.search(queries[::-1], 3)  # negative stride
    np.testing.assert_array_equal(i3[::-1], ids)
    big_s, big_i = cat.search(queries, len(cat) + 2)
    assert (big_i[:, -2:] == -1).all() and np.isneginf(big_s[:, -2:]).all()
    assert (big_i[:, : len(cat)] >= 0).all()
    s0, i0 = cat.search(np.zeros((0, cat.dim), np.float32), 4)
    assert s0.shape == i0.shape == (0, 4)


def test_search_rejects_wrong_dtype_shape_and_k(cat):
    q = cat.encode(["write SQL queries"])
    with pytest.raises(TypeError, match="float32.*float64"):
        cat.search(q.astype(np.float64), 3)
    with pytest.raises(ValueError, match=rf"expected shape \(n, {cat.dim}\), got \({cat.dim},\)"):
        cat.search(q[0], 3)
    with pytest.raises(ValueError, match=rf"got \(1, {cat.dim + 1}\)"):
        cat.search(np.zeros((1, cat.dim + 1), np.float32), 3)
    with pytest.raises(ValueError, match="k: must be >= 1"):
        cat.search(q, 0)
    with pytest.raises(TypeError):
        cat.search([[0.0] * cat.dim], 3)  # a list is not an array


# --- match / gap / path: the CLI's JSON ---------------------------------------------------------


def test_match_occupation_equals_cli_json(cat, cli_json):
    py = cat.match(occupation="analyste de données")
    cli = cli_json("match", "--occupation", "analyste de données")
    assert without_timing(py) == without_timing(cli)
    assert py["milliseconds"] >= 0
    n_req = len(py["job"]["requirements"])
    assert n_req == 4
    assert py["results"]
    for result in py["results"]:
        assert len(result["evidence"]) == n_req
        for e in result["evidence"]:
            assert e["why"]
            if e["covered"]:
                assert e["competency_text"] and e["score"] >= py["config"]["threshold"]


def test_match_job_dict_and_text_equal_cli(cat, cli_json, tmp_path):
    job = {"title": "farm hand", "requirements": [{"text": "operate a tractor"},
                                                  {"text": "prune fruit trees", "importance": "optional"}]}
    path = tmp_path / "job.json"
    path.write_text(__import__("json").dumps(job))
    py = cat.match(job, top=3, threshold=0.3, neighbours=50)
    assert without_timing(py) == without_timing(
        cli_json("match", "--job", str(path), "--top", "3", "--threshold", "0.3", "--neighbours", "50"))
    assert py["results"][0]["credential"]["id"] == "t:farm"
    assert py["config"]["top"] == 3

    text = "Write SQL queries; track changes with Git"
    py = cat.match(text=text)
    assert without_timing(py) == without_timing(cli_json("match", "--text", text))
    assert len(py["job"]["requirements"]) == 2


def test_match_rejects_bad_input_naming_the_field(cat):
    with pytest.raises(KeyError, match="occupation.*no occupation matches"):
        cat.match(occupation="astronaut")
    with pytest.raises(ValueError, match="exactly one of"):
        cat.match()
    with pytest.raises(ValueError, match="exactly one of"):
        cat.match({"title": "x", "requirements": [{"text": "sql"}]}, occupation="data analyst")
    with pytest.raises(TypeError, match="job: expected a dict"):
        cat.match("write SQL queries")
    with pytest.raises(ValueError, match="requirements"):
        cat.match({"title": "x", "requirements": []})
    with pytest.raises(ValueError, match=r"requirements\[0\]"):
        cat.match({"title": "x", "requirements": [{"text": ""}]})
    with pytest.raises(ValueError, match="importance"):
        cat.match({"title": "x", "requirements": [{"text": "sql", "importance": "vital"}]})
    with pytest.raises(ValueError, match="top: must be in 1..1000000, got 0"):
        cat.match(occupation="data analyst", top=0)
    with pytest.raises(ValueError, match="threshold"):
        cat.match(occupation="data analyst", threshold=float("nan"))
    with pytest.raises(ValueError, match="text: no requirement"):
        cat.match(text="   ")
    with pytest.raises(ValueError):
        cat.match({"title": "x", "requirements": [{"text": "sql", "score": float("nan")}]})


def test_gap_equals_cli_json_and_has_evidence(cat, cli_json):
    py = cat.gap(ANALYST_SKILLS, occupation="data analyst", with_credentials=["t:python"])
    cli = cli_json("gap", "--occupation", "data analyst", "--skills", "; ".join(ANALYST_SKILLS),
                   "--with", "t:python")
    assert py == cli
    reqs = py["gap"]["requirements"]
    sql = next(r for r in reqs if r["text"] == "write SQL queries")
    assert sql["status"] == "covered"
    assert sql["evidence"] == {"text": ANALYST_SKILLS[0], "source": "skills[0]"}
    assert py["with"]["gap"]["coverage"] > py["gap"]["coverage"]
    # The same worker as a string and as a profile dict.
    assert cat.gap("; ".join(ANALYST_SKILLS), occupation="data analyst")["gap"] == \
        cat.gap({"skills": ANALYST_SKILLS}, occupation="data analyst")["gap"]


def test_gap_rejects_bad_input_naming_the_field(cat):
    with pytest.raises(KeyError, match="with_credentials.*t:nope"):
        cat.gap(["SQL"], occupation="data analyst", with_credentials=["t:nope"])
    with pytest.raises(ValueError, match="hobbies"):
        cat.gap({"skills": ["SQL"], "hobbies": []}, occupation="data analyst")
    with pytest.raises(ValueError, match=r"skills\[1\]"):
        cat.gap(["SQL", ""], occupation="data analyst")
    with pytest.raises(KeyError, match=r"skill_ids\[0\]"):
        cat.gap({"skill_ids": ["s:nope"]}, occupation="data analyst")
    with pytest.raises(TypeError, match="profile: expected"):
        cat.gap(42, occupation="data analyst")
    with pytest.raises(ValueError, match="partial_threshold: must not exceed"):
        cat.gap(["SQL"], occupation="data analyst", covered_threshold=0.4, partial_threshold=0.5)


def test_path_equals_cli_json_with_hours_and_coverage(cat, cli_json):
    py = cat.path(["Excel spreadsheets"], occupation="data analyst", explain=True)
    cli = cli_json("path", "--occupation", "data analyst", "--skills", "Excel spreadsheets", "--explain")
    assert py == cli
    assert py["status"] in ("optimal", "greedy")
    assert py["steps"]
    previous = py["coverage_before"]
    for step in py["steps"]:
        assert "hours" in step and step["coverage_after"] >= previous
        previous = step["coverage_after"]
    assert py["coverage_after"] > py["coverage_before"]
    assert py["explain"]


def test_path_limits_and_infeasible_plan(cat, cli_json):
    py = cat.path({"skills": ["Excel"], "skill_ids": ["s:sql"]}, occupation="data analyst",
                  objective="count", max_hours=0, target=1.0)
    assert py["status"] == "infeasible" and py["steps"] == [] and py["message"]
    with pytest.raises(ValueError, match="objective"):
        cat.path(["SQL"], occupation="data analyst", objective="fastest")
    with pytest.raises(ValueError, match="max_hours: must be in"):
        cat.path(["SQL"], occupation="data analyst", max_hours=-1)
    with pytest.raises(ValueError, match="target"):
        cat.path(["SQL"], occupation="data analyst", target=1.5)


# --- rank ---------------------------------------------------------------------------------------

TARGETS = {
    "sql": "Write SQL queries to select and join data",
    "git": "Track changes to code with version control (Git)",
    "plot": "Create plots and visualisations of data",
    "nurse": "Administer medication to patients",
}
QUERIES = [("q1", "SQL queries"), ("q2", "version control with git"), ("q3", "zzz qqq")]


@pytest.mark.parametrize("encoder", ["catalog", "bm25", "tfidf-char"])
def test_rank_equals_cli_run_file(cat, cli, catalog_dir, tmp_path, encoder):
    (tmp_path / "t.tsv").write_text("".join(f"{i}\t{t}\n" for i, t in TARGETS.items()))
    (tmp_path / "q.tsv").write_text("".join(f"{i}\t{t}\n" for i, t in QUERIES))
    code, _, err = cli("--catalog", catalog_dir, "rank", "--targets", str(tmp_path / "t.tsv"),
                       "--queries", str(tmp_path / "q.tsv"), "--k", "3", "--out",
                       str(tmp_path / "run.tsv"), "--encoder", encoder)
    assert code == 0, err
    expected = [line.split("\t") for line in (tmp_path / "run.tsv").read_text().splitlines()]
    rows = cat.rank(TARGETS, QUERIES, k=3, encoder=encoder)
    assert len(rows) == len(expected) == 9
    for (q, t, r, s), (eq, et, er, es) in zip(rows, expected):
        assert (q, t, r) == (eq, et, int(er))
        assert math.isclose(s, float(es), rel_tol=1e-5, abs_tol=1e-6)
    # list-of-pairs targets rank the same as the dict
    assert cat.rank(list(TARGETS.items()), QUERIES, k=3, encoder=encoder) == rows


def test_rank_finds_the_obvious_target_and_caps_k(cat):
    rows = cat.rank(TARGETS, {"q": "administer medication"}, k=10)
    assert len(rows) == len(TARGETS)  # min(k, targets)
    assert rows[0][:3] == ("q", "nurse", 1)
    assert [r[2] for r in rows] == [1, 2, 3, 4]
    assert cat.rank(TARGETS, [], k=3) == []


def test_rank_rejects_bad_input_naming_the_row(cat):
    with pytest.raises(ValueError, match=r"queries\[1\]: duplicate id 'q1'"):
        cat.rank(TARGETS, [("q1", "a"), ("q1", "b")])
    with pytest.raises(ValueError, match=r"targets\['x'\]: empty text"):
        cat.rank({"x": "  "}, QUERIES)
    with pytest.raises(ValueError, match=r"queries\[0\]: empty id"):
        cat.rank(TARGETS, [("", "a")])
    with pytest.raises(TypeError, match=r"queries\[0\]: expected an \(id, text\) pair"):
        cat.rank(TARGETS, ["q1\tSQL"])
    with pytest.raises(TypeError, match=r"targets\['x'\]: text must be a str"):
        cat.rank({"x": 1}, QUERIES)
    with pytest.raises(ValueError, match="targets: empty"):
        cat.rank({}, QUERIES)
    with pytest.raises(ValueError, match="encoder"):
        cat.rank(TARGETS, QUERIES, encoder="word2vec")
    with pytest.raises(ValueError, match="k: must be in"):
        cat.rank(TARGETS, QUERIES, k=0)


# --- threads ------------------------------------------------------------------------------------


def test_concurrent_calls_from_threads_give_serial_results(cat):
    queries = cat.encode(["write SQL queries", "monitor vital signs", "prune fruit trees"])
    work = {
        "match": lambda: without_timing(cat.match(occupation="data analyst")),
        "match_text": lambda: without_timing(cat.match(text="Administer medication; monitor vital signs")),
        "gap": lambda: cat.gap({"skills": ["SQL"], "skill_ids": ["s:python"]}, occupation="data analyst"),
        "path": lambda: cat.path(["Excel"], occupation="practical nurse"),
        "encode": lambda: cat.encode(["Join tables in SQL", "Plot data"]).tolist(),
        "search": lambda: [a.tolist() for a in cat.search(queries, 4)],
        "rank": lambda: cat.rank(TARGETS, QUERIES, k=2),
    }
    expected = {name: f() for name, f in work.items()}
    jobs = [name for name in work for _ in range(6)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda name: (name, work[name]()), jobs))
    for name, result in results:
        assert result == expected[name], name


def test_encode_releases_the_gil(cat):
    # While one thread is inside a long encode() call, the main thread must keep running Python.
    # Holding the GIL would stall it for the whole call; allow scheduling noise on a busy machine
    # by requiring the longest stall to be under half the call, in one of three attempts.
    texts = [f"Write SQL queries number {i} to select and join tables of patients" for i in range(6000)]
    for _ in range(3):
        span = {}

        def worker():
            span["start"] = time.perf_counter()
            cat.encode(texts)
            span["end"] = time.perf_counter()

        t = threading.Thread(target=worker)
        ticks = []
        t.start()
        while t.is_alive():
            ticks.append(time.perf_counter())
        t.join()
        inside = [x for x in ticks if span["start"] <= x <= span["end"]]
        duration = span["end"] - span["start"]
        points = [span["start"], *inside, span["end"]]
        longest_stall = max(b - a for a, b in zip(points, points[1:]))
        if duration > 0.05 and longest_stall < duration / 2:
            return
    pytest.fail(f"main thread stalled {longest_stall:.3f} s of a {duration:.3f} s encode call")


def test_module_metadata():
    assert credmatch.__version__
    assert "release" in credmatch.Catalog.match.__doc__.lower() and "GIL" in credmatch.Catalog.search.__doc__
