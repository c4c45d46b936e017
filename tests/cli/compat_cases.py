"""Command-line cases run by both sqlite-utils 4.2.1 (generate_expected.py, once, to record
expected/<name>.json) and almanac (test_compat.py, every run). Each case is a list of steps run
in order against one fresh database ("DB" stands for its path); the final database — every
table's CREATE statement and rows — plus each step's success and (where `stdout` is set) its
output are compared.

A case with `differs` is one where almanac deliberately does something else (docs/compat.md
says why): the test checks that sqlite-utils' recorded result really is different and that
almanac's result passes `check`.
"""


def step(*args, stdin=None, stdout=False):
    return {"args": list(args), "stdin": stdin, "stdout": stdout}


def col_types(dump, table):
    """{column: declared type} parsed from the dump's CREATE TABLE."""
    sql = dump["tables"][table]["sql"]
    out = {}
    for line in sql.splitlines()[1:-1]:
        parts = line.strip().rstrip(",").split('" ', 1)
        if len(parts) == 2 and parts[0].startswith('"'):
            out[parts[0][1:]] = parts[1].split()[0]
    return out


def rows(dump, table):
    return dump["tables"][table]["rows"]


CASES = {
    # CSV/TSV shapes
    "csv_basic": [step("insert", "DB", "dogs", "inputs/basic.csv", "--csv", "--pk", "id")],
    "csv_no_pk": [step("insert", "DB", "dogs", "inputs/basic.csv", "--csv")],
    "csv_bom_crlf_quoted_newlines": [step("insert", "DB", "t", "inputs/bom_crlf.csv", "--csv")],
    "csv_short_rows": [step("insert", "DB", "t", "inputs/short_rows.csv", "--csv")],
    "csv_mixed_types": [step("insert", "DB", "t", "inputs/mixed.csv", "--csv")],
    "csv_header_only": [step("insert", "DB", "t", "inputs/header_only.csv", "--csv")],
    "tsv": [step("insert", "DB", "t", "inputs/basic.tsv", "--tsv")],
    "csv_delimiter_quotechar": [
        step("insert", "DB", "t", "inputs/semicolon.csv", "--delimiter", ";", "--quotechar", "'")],
    "csv_sniff": [step("insert", "DB", "t", "inputs/semicolon.csv", "--sniff")],
    "csv_no_headers": [step("insert", "DB", "t", "inputs/no_headers.csv", "--no-headers")],
    "csv_empty_cells": [step("insert", "DB", "t", "inputs/empty_cells.csv", "--csv")],
    "csv_empty_null": [step("insert", "DB", "t", "inputs/empty_cells.csv", "--csv", "--empty-null")],
    "csv_no_detect_types": [
        step("insert", "DB", "t", "inputs/basic.csv", "--csv", "--no-detect-types")],
    "csv_type_override": [
        step("insert", "DB", "t", "inputs/basic.csv", "--csv", "--type", "age", "TEXT")],
    "csv_not_null_default": [
        step("insert", "DB", "t", "inputs/basic.csv", "--csv", "--pk", "id", "--not-null", "name",
             "--default", "note", "none", "--default", "age", "0")],
    "csv_compound_pk": [
        step("insert", "DB", "t", "inputs/compound.csv", "--csv", "--pk", "country", "--pk", "city")],
    "csv_stdin": [step("insert", "DB", "t", "-", "--csv", stdin="inputs/basic.csv")],
    "csv_latin1": [step("insert", "DB", "t", "inputs/latin1.csv", "--csv", "--encoding", "latin-1")],
    "csv_bad_utf8_fails": [step("insert", "DB", "t", "inputs/bad_utf8.csv", "--csv")],
    "csv_stop_after": [step("insert", "DB", "t", "inputs/four.csv", "--csv", "--stop-after", "2")],
    "csv_strict": [step("insert", "DB", "t", "inputs/basic.csv", "--csv", "--strict")],
    # Existing tables
    "insert_duplicate_fails": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("insert", "DB", "t", "inputs/four_update.csv", "--csv")],
    "insert_ignore": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("insert", "DB", "t", "inputs/four_update.csv", "--csv", "--ignore")],
    "insert_replace": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("insert", "DB", "t", "inputs/four_update.csv", "--csv", "--replace")],
    "insert_truncate": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("insert", "DB", "t", "inputs/four_update.csv", "--csv", "--truncate")],
    "upsert_csv": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("upsert", "DB", "t", "inputs/four_update.csv", "--csv", "--pk", "id")],
    "upsert_uses_existing_pk": [
        step("insert", "DB", "t", "inputs/four.csv", "--csv", "--pk", "id"),
        step("upsert", "DB", "t", "inputs/four_update.csv", "--csv")],
    "missing_column_fails": [
        step("insert", "DB", "dogs", "inputs/dogs.ndjson", "--nl", "--pk", "id"),
        step("insert", "DB", "dogs", "inputs/dogs_update.ndjson", "--nl", "--replace")],
    "alter_adds_columns": [
        step("insert", "DB", "dogs", "inputs/dogs.ndjson", "--nl", "--pk", "id"),
        step("insert", "DB", "dogs", "inputs/dogs_update.ndjson", "--nl", "--alter",
             "--replace")],
    # JSON
    "json_nested": [step("insert", "DB", "t", "inputs/nested.json", "--pk", "id")],
    "json_flatten": [step("insert", "DB", "t", "inputs/nested.json", "--flatten")],
    "ndjson": [step("insert", "DB", "dogs", "inputs/dogs.ndjson", "--nl")],
    "json_base64_blob": [step("insert", "DB", "t", "inputs/blob.json")],
    "lines": [step("insert", "DB", "t", "inputs/lines.txt", "--lines")],
    "text": [step("insert", "DB", "t", "inputs/lines.txt", "--text")],
}

SETUP = [step("insert", "DB", "dogs", "inputs/basic.csv", "--csv", "--pk", "id"),
         step("insert", "DB", "vals", "inputs/values.json", "--pk", "id"),
         step("query", "DB", "create view big_dogs as select * from dogs where weight > 5")]


def out(*args, stdin=None):
    return step(*args, stdin=stdin, stdout=True)


CASES.update({
    # Query output formats
    "query_json": SETUP + [out("query", "DB", "select * from dogs")],
    "query_values_json": SETUP + [out("query", "DB", "select * from vals")],
    "query_nl": SETUP + [out("query", "DB", "select * from vals", "--nl")],
    "query_arrays": SETUP + [out("query", "DB", "select * from dogs", "--arrays")],
    "query_nl_arrays": SETUP + [out("query", "DB", "select * from dogs", "--nl", "--arrays")],
    "query_csv": SETUP + [out("query", "DB", "select * from vals", "--csv")],
    "query_tsv": SETUP + [out("query", "DB", "select * from dogs", "--tsv", "--no-headers")],
    "query_table": SETUP + [out("query", "DB", "select * from dogs", "-t")],
    "query_table_values": SETUP + [out("query", "DB", "select id, name, n, big, multi from vals",
                                       "--table")],
    "query_table_no_headers": SETUP + [out("query", "DB", "select * from dogs", "-t",
                                           "--no-headers")],
    "query_table_mixed": SETUP + [out(
        "query", "DB", "select 1 as a, 'x' as b, null as c union all "
        "select 2.5, 3, null union all select 'abc', 4.25, null")],
    "query_fmt_plain": SETUP + [out("query", "DB", "select * from dogs", "--fmt", "plain")],
    "query_fmt_github": SETUP + [out("query", "DB", "select * from dogs", "--fmt", "github")],
    "query_json_cols": SETUP + [out("query", "DB", "select id, doc from vals", "--json-cols")],
    "query_params": SETUP + [out("query", "DB", "select * from dogs where name = :name",
                                 "-p", "name", "Cleo")],
    "query_no_rows": SETUP + [out("query", "DB", "select * from dogs where 0")],
    "query_duplicate_names": SETUP + [out("query", "DB", "select id, name, id from dogs")],
    "query_write": SETUP + [out("query", "DB", "update dogs set age = age + 1"),
                            out("query", "DB", "select age from dogs")],
    "query_ddl": SETUP + [out("query", "DB", "create table t (a)")],
    "query_raw": SETUP + [out("query", "DB", "select name from dogs order by id desc", "-r")],
    "query_raw_lines": SETUP + [out("query", "DB", "select name from dogs", "--raw-lines")],
    "query_error": SETUP + [out("query", "DB", "select * from nope")],
    # Catalog
    "tables": SETUP + [out("tables", "DB")],
    "tables_counts_columns": SETUP + [out("tables", "DB", "--counts", "--columns")],
    "tables_schema_csv": SETUP + [out("tables", "DB", "--schema", "--columns", "--csv")],
    "tables_table": SETUP + [out("tables", "DB", "--counts", "--columns", "-t")],
    "tables_nl": SETUP + [out("tables", "DB", "--counts", "--nl")],
    "views": SETUP + [out("views", "DB", "--counts")],
    "schema": SETUP + [out("schema", "DB")],
    "schema_table": SETUP + [out("schema", "DB", "dogs", "big_dogs")],
    "rows": SETUP + [out("rows", "DB", "dogs")],
    "rows_options": SETUP + [out("rows", "DB", "dogs", "-c", "name", "-c", "age", "--where",
                                 "age > :a", "-p", "a", "1", "-o", "name desc", "--limit", "1",
                                 "--offset", "1")],
    "rows_offset_only": SETUP + [out("rows", "DB", "dogs", "--offset", "2", "--csv")],
    # memory
    "memory_query": [out("memory", "inputs/basic.csv", "inputs/nested.json",
                         "select basic.name, nested.name from basic join nested using (id)")],
    "memory_same_stem": [out("memory", "inputs/four.csv", "inputs/four.csv",
                             "select count(*) as n from four_2")],
    "memory_views": [out("memory", "inputs/four.csv", "inputs/compound.csv",
                         "select (select count(*) from t) as a, (select count(*) from t2) as b")],
    "memory_stdin_format": [out("memory", "stdin:csv", "select * from stdin", "--csv",
                                stdin="inputs/four.csv")],
    "memory_no_detect": [out("memory", "inputs/basic.csv", "select typeof(id) from basic", "-n",
                             "--arrays")],
})

BOOKS = [step("insert", "DB", "books", "inputs/books.csv", "--csv", "--pk", "id"),
         step("insert", "DB", "authors", "inputs/authors.csv", "--csv", "--pk", "id")]

CASES.update({
    # create-table
    "create_table": [step("create-table", "DB", "t", "id", "integer", "name", "text", "weight",
                          "float", "photo", "blob", "score", "REAL", "other", "any", "--pk", "id",
                          "--not-null", "name", "--default", "name", "x", "--default", "score",
                          "1.5")],
    "create_table_compound_pk": [step("create-table", "DB", "t", "a", "text", "b", "integer",
                                      "--pk", "a", "--pk", "b")],
    "create_table_missing_pk_column": [step("create-table", "DB", "t", "name", "text", "--pk",
                                            "id")],
    "create_table_strict": [step("create-table", "DB", "t", "id", "integer", "--strict")],
    "create_table_fk": BOOKS + [step("create-table", "DB", "reviews", "id", "integer", "book_id",
                                     "integer", "--pk", "id", "--fk", "book_id", "books", "id")],
    "create_table_fk_missing_fails": [step("create-table", "DB", "t", "a", "integer", "--fk", "a",
                                           "nope", "id")],
    "create_table_exists": [step("create-table", "DB", "t", "a", "integer"),
                            step("create-table", "DB", "t", "b", "text"),
                            step("create-table", "DB", "t", "c", "text", "--ignore"),
                            step("create-table", "DB", "t", "d", "text", "--replace")],
    "create_table_bad_type": [step("create-table", "DB", "t", "a", "varchar")],
    # create-index
    "create_index": BOOKS + [step("create-index", "DB", "books", "author_id"),
                             step("create-index", "DB", "books", "genre", "country", "--unique",
                                  "--name", "by genre"),
                             step("create-index", "DB", "books", "--", "-title", "id")],
    "create_index_twice": BOOKS + [step("create-index", "DB", "books", "title"),
                                   step("create-index", "DB", "books", "title"),
                                   step("create-index", "DB", "books", "title", "--if-not-exists")],
    # FTS
    "enable_fts": BOOKS + [step("enable-fts", "DB", "books", "title", "genre"),
                           out("query", "DB", "select rowid, title from books_fts where "
                               "books_fts match 'classic' order by rowid")],
    "enable_fts4_triggers": BOOKS + [
        step("enable-fts", "DB", "books", "title", "--fts4", "--tokenize", "porter",
             "--create-triggers"),
        step("query", "DB", "insert into books (id, title) values (9, 'Running')"),
        out("query", "DB", "select rowid, title from books_fts where books_fts match 'run'")],
    "enable_fts_exists_fails": BOOKS + [step("enable-fts", "DB", "books", "title"),
                                        step("enable-fts", "DB", "books", "title")],
    "enable_fts_replace": BOOKS + [step("enable-fts", "DB", "books", "title"),
                                   step("enable-fts", "DB", "books", "title", "genre", "--replace"),
                                   out("query", "DB", "select count(*) from books_fts where "
                                       "books_fts match 'scifi'")],
    "populate_fts": BOOKS + [step("enable-fts", "DB", "books", "title"),
                             step("query", "DB", "insert into books (id, title) values "
                                  "(9, 'Later')"),
                             step("populate-fts", "DB", "books", "title"),
                             out("query", "DB", "select rowid from books_fts where books_fts "
                                 "match 'later'")],
    # add-column / add-foreign-key
    "add_column": BOOKS + [step("add-column", "DB", "books", "pages", "integer"),
                           step("add-column", "DB", "books", "price", "float"),
                           step("add-column", "DB", "books", "notes"),
                           step("add-column", "DB", "books", "cover", "blob"),
                           step("add-column", "DB", "books", "status", "text",
                                "--not-null-default", "draft"),
                           step("add-column", "DB", "books", "pages", "integer", "--ignore")],
    "add_column_exists_fails": BOOKS + [step("add-column", "DB", "books", "title")],
    "add_column_fk": BOOKS + [step("add-column", "DB", "books", "editor_id", "--fk", "authors")],
    "add_column_fk_missing_table": BOOKS + [step("add-column", "DB", "books", "x", "--fk", "nope")],
    "add_foreign_key": BOOKS + [step("add-foreign-key", "DB", "books", "author_id", "authors",
                                     "id")],
    "add_foreign_key_guessed": BOOKS + [step("add-foreign-key", "DB", "books", "author_id")],
    "add_foreign_key_twice": BOOKS + [
        step("add-foreign-key", "DB", "books", "author_id"),
        step("add-foreign-key", "DB", "books", "author_id"),
        step("add-foreign-key", "DB", "books", "author_id", "--ignore")],
    "add_foreign_key_bad_column": BOOKS + [step("add-foreign-key", "DB", "books", "nope",
                                                "authors", "id")],
    # transform
    "transform_types": BOOKS + [step("transform", "DB", "books", "--type", "author_id", "TEXT",
                                     "--type", "id", "INTEGER")],
    "transform_text_to_integer": [
        step("insert", "DB", "t", "inputs/empty_cells.csv", "--csv", "--no-detect-types"),
        step("transform", "DB", "t", "--type", "n", "INTEGER", "--type", "id", "integer")],
    "transform_rename_drop_order": BOOKS + [
        step("create-index", "DB", "books", "title"),
        step("create-index", "DB", "books", "country"),
        step("transform", "DB", "books", "--rename", "title", "name", "--drop", "genre", "-o",
             "country", "-o", "name")],
    "transform_not_null_default": BOOKS + [
        step("transform", "DB", "books", "--not-null", "title", "--default", "country", "US",
             "--default", "genre", "none")],
    "transform_remove_not_null_default": [
        step("create-table", "DB", "t", "a", "text", "b", "text", "--not-null", "a", "--default",
             "b", "x"),
        step("transform", "DB", "t", "--not-null-false", "a", "--default-none", "b")],
    "transform_pk": BOOKS + [step("transform", "DB", "authors", "--pk", "name")],
    "transform_pk_none": BOOKS + [step("transform", "DB", "authors", "--pk-none")],
    "transform_foreign_keys": BOOKS + [
        step("transform", "DB", "books", "--add-foreign-key", "author_id", "authors", "id"),
        step("transform", "DB", "books", "--drop-foreign-key", "author_id")],
    "transform_drop_indexed_column_fails": BOOKS + [
        step("create-index", "DB", "books", "genre"),
        step("transform", "DB", "books", "--drop", "genre")],
    "transform_strict": BOOKS + [step("transform", "DB", "authors", "--strict")],
    # extract
    "extract": BOOKS + [step("extract", "DB", "books", "genre")],
    "extract_options": BOOKS + [step("extract", "DB", "books", "genre", "country", "--table",
                                     "categories", "--fk-column", "category_id", "--rename",
                                     "genre", "name")],
    "extract_twice_reuses_lookup": BOOKS + [
        step("insert", "DB", "more", "inputs/books.csv", "--csv", "--pk", "id"),
        step("extract", "DB", "books", "genre"),
        step("extract", "DB", "more", "genre", "--table", "genre")],
    "extract_bad_column": BOOKS + [step("extract", "DB", "books", "nope")],
})

# Where almanac deliberately differs (docs/compat.md, "Command line"): the reason, and what
# almanac does instead.
DIFFERS = {
    "transform_keeps_triggers": (
        BOOKS + [step("enable-fts", "DB", "books", "title", "--create-triggers"),
                 step("transform", "DB", "books", "--type", "author_id", "TEXT")],
        "a rebuild recreates the table's triggers (sqlite-utils drops them, so an FTS index "
        "stops following the table)",
        lambda d: sum("CREATE TRIGGER" in s for s in d["other"]) == 3),
    "csv_type_float_empty_is_null": (
        [step("insert", "DB", "t", "inputs/basic.csv", "--csv", "--type", "weight", "FLOAT")],
        "an empty cell in a column given a numeric --type is NULL, as in detected ones",
        lambda d: col_types(d, "t")["weight"] == "FLOAT" and rows(d, "t")[2][3] is None),
    "csv_leading_zeros": (
        [step("insert", "DB", "t", "inputs/leading_zeros.csv", "--csv")],
        "codes with leading zeros, + signs or spaces stay TEXT",
        lambda d: col_types(d, "t") == {"code": "TEXT", "phone": "TEXT", "count": "INTEGER",
                                        "ratio": "REAL"}
        and rows(d, "t")[0][:2] == ["007", "+441234567"] and rows(d, "t")[2][0] == "12345"),
    "csv_long_rows_fail": (
        [step("insert", "DB", "t", "inputs/long_rows.csv", "--csv")],
        "a row with more values than the header is an error, not silently cut",
        lambda d: d["steps"] == [1] and d["tables"] == {}),
    "csv_duplicate_headers": (
        [step("insert", "DB", "t", "inputs/dup_headers.csv", "--csv")],
        "duplicate header names become name_2, name_3 instead of dropping values",
        lambda d: list(col_types(d, "t")) == ["id", "name", "name_2", "Name_3"]
        and rows(d, "t") == [[1, "a", "b", "c"]]),
    "csv_blank_lines": (
        [step("insert", "DB", "t", "inputs/blank_lines.csv", "--csv")],
        "blank lines are skipped, not read as rows of NULLs",
        lambda d: rows(d, "t") == [[1, 2], [3, 4]]),
    "csv_big_integers": (
        [step("insert", "DB", "t", "inputs/bigint.csv", "--csv")],
        "a column whose integers a REAL cannot hold exactly stays TEXT",
        lambda d: col_types(d, "t") == {"n": "TEXT"} and rows(d, "t")[0][0] == "12345678901234567"),
    "csv_empty_file": (
        [step("insert", "DB", "t", "inputs/empty.csv", "--csv")],
        "an empty file inserts nothing (sqlite-utils stops with a StopIteration traceback)",
        lambda d: d["steps"] == [0] and d["tables"] == {}),
    "upsert_alter_is_exact": (
        [step("insert", "DB", "dogs", "inputs/dogs.ndjson", "--nl", "--pk", "id"),
         step("upsert", "DB", "dogs", "inputs/dogs_update.ndjson", "--nl", "--alter")],
        "a record that omits a column leaves its stored value alone",
        lambda d: rows(d, "dogs") == [[1, "Cleo updated", 5, None], [2, "Pancakes", 4, None],
                                      [3, "New", 1, "brown"]]),
    "upsert_is_exact": (
        [step("insert", "DB", "t", "inputs/dogs.ndjson", "--nl", "--pk", "id"),
         step("upsert", "DB", "t", "inputs/upsert_mixed.json", "--pk", "id")],
        "a record that omits a column leaves its stored value alone",
        lambda d: rows(d, "t") == [[1, "Cleo", 5], [2, "Pancakes", 9]]),
}
