//! Jira CSV and Trello JSON imports against hostile and real-shaped
//! exports (the red-team files in `crates/formats/tests/fixtures/redteam`
//! and cases built here): what cannot be read faithfully is a 422 naming
//! the line and column or the JSON pointer and what to do, storing
//! nothing; a byte-order mark is read, another encoding when named; a
//! preview says what would be stored and stores nothing.

use serde_json::{Value, json};
use tandem_core::Role;

use crate::support::{Api, expect_error, json_ok, new_project, on_each_database};

fn redteam(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../formats/tests/fixtures/redteam/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn send(api: &Api, project: &str, query: &str, media: &str, body: Vec<u8>) -> reqwest::Response {
    api.request(reqwest::Method::POST, &format!("/api/v1/projects/{project}/import{query}"))
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn tasks(api: &Api, project: &str) -> Vec<Value> {
    let list = json_ok(api.get(&format!("/api/v1/projects/{project}/tasks?limit=200")).await, 200).await;
    list["items"].as_array().unwrap().clone()
}

/// The refusal's problems, as `(where, message)`: `line N, column` or the
/// JSON pointer.
fn problems(body: &Value) -> Vec<(String, String)> {
    assert_eq!(body["error"]["details"]["field"], "file", "{body}");
    body["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let at = match (&p["line"], &p["column"], &p["pointer"]) {
                (Value::Number(l), Value::String(c), _) => format!("line {l}, {c}"),
                (Value::Number(l), _, _) => format!("line {l}"),
                (_, _, Value::String(ptr)) => ptr.clone(),
                _ => String::new(),
            };
            (at, p["message"].as_str().unwrap_or_default().to_owned())
        })
        .collect()
}

/// A Trello board whose strings are far past any field's limit, as the
/// red-team generator writes it (1 MiB name and description, 100,000
/// escaped characters, 10,000 NULs in a comment).
fn huge_board() -> Vec<u8> {
    let mut s = String::from(r#"{"id":"b1","closed":false,"name":""#);
    s.push_str(&"A".repeat(1 << 20));
    s.push_str(r#"","labels":[{"id":"a1","color":"red","name":""#);
    s.push_str(&"\\ud83d\\ude00".repeat(50_000));
    s.push_str(r#""}],"lists":[{"id":"l1","name":"To Do","closed":false,"pos":1}],"#);
    s.push_str(r#""cards":[{"id":"d1","idList":"l1","closed":false,"pos":1,"name":""#);
    s.push_str(&"\\u00e9".repeat(100_000));
    s.push_str(r#"","desc":""#);
    s.push_str(&"B".repeat(1 << 20));
    s.push_str(r#""}],"checklists":[],"members":[],"actions":[{"id":"x1","type":"commentCard","#);
    s.push_str(r#""date":"2025-03-05T10:15:00.000Z","data":{"card":{"id":"d1"},"text":""#);
    s.push_str(&"\\u0000".repeat(10_000));
    s.push_str("\"}}]}\n");
    s.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_exports_are_refused_with_where_and_what_to_do() {
    on_each_database("hostile_exports_are_refused_with_where_and_what_to_do", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;
        let empty = new_project(&pm, &ws, "Refusals", "REF").await;
        let resources = format!("/api/v1/workspaces/{ws}/resources?limit=200");
        let people = json_ok(pm.get(&resources).await, 200).await["items"].as_array().unwrap().len();
        let csv = "text/csv";
        let json = "application/json";

        // 1. Rows narrower or wider than the header: every one named.
        let body = b"Summary,Issue key,Status\nA,K-1,To Do\nB,K-2\nC,K-3,Done,extra\nD,K-4,Done\n".to_vec();
        let r = expect_error(send(&pm, &empty, "", csv, body).await, 422, "invalid_value").await;
        let p = problems(&r);
        assert_eq!(p.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["line 3", "line 4"], "{r}");
        assert!(p[0].1.contains("2 fields where the header has 3") && p[1].1.contains("4 fields"), "{r}");
        assert!(r["error"]["message"].as_str().unwrap().starts_with("Not imported, nothing was stored: line 3"));

        // 2. A NUL inside a field, on both databases alike.
        let body = b"Summary,Issue key,Description\nA,K-1,fine\nB\0B,K-2,fine\n".to_vec();
        let r = expect_error(send(&pm, &empty, "", csv, body).await, 422, "invalid_value").await;
        let p = problems(&r);
        assert_eq!(p[0].0, "line 3, Summary");
        assert!(p[0].1.contains("NUL"), "{r}");

        // 3. Far too wide: a 10,000-field row, a 10,000-column header.
        let r =
            expect_error(send(&pm, &empty, "", csv, redteam("wide_row_10000_cols.csv")).await, 422, "invalid_value")
                .await;
        let p = problems(&r);
        assert_eq!(p[0].0, "line 2", "after a CRLF header: {r}");
        assert!(p[0].1.contains("10000 fields where the header has 8"), "{r}");
        let header: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        let wide = format!("Summary,Issue key,{}\n", header.join(","));
        let r = expect_error(send(&pm, &empty, "", csv, wide.into_bytes()).await, 422, "invalid_value").await;
        assert!(problems(&r)[0].1.contains("10002 columns where an export has at most 1024"), "{r}");

        // 4. JSON nested too deep, in fields the import skips too, and JSON
        //    that is no board.
        let deep = format!(r#"{{"lists": [], "cards": [], "prefs": {}1{}}}"#, "[".repeat(200), "]".repeat(200));
        let r = expect_error(send(&pm, &empty, "", json, deep.into_bytes()).await, 422, "invalid_value").await;
        assert!(problems(&r)[0].1.contains("128 deep or more"), "{r}");
        for depth in [100_000usize] {
            let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
            let r = expect_error(send(&pm, &empty, "", json, objects.into_bytes()).await, 422, "invalid_value").await;
            assert!(problems(&r)[0].1.contains("128 deep or more"), "{r}");
        }
        for (doc, says) in [("{}", "missing field `lists`"), ("[]", "is an array"), ("null", "is null")] {
            let r = expect_error(send(&pm, &empty, "", json, doc.into()).await, 422, "invalid_value").await;
            let p = problems(&r);
            assert!(p[0].1.contains(says) && p[0].1.contains("Export as JSON"), "{doc}: {r}");
        }
        let r =
            expect_error(send(&pm, &empty, "", json, redteam("trello_wrong_types.json")).await, 422, "invalid_value")
                .await;
        assert!(problems(&r)[0].0.starts_with('/'), "a JSON pointer: {r}");

        // 5. Strings past their limits, named by field.
        let r = expect_error(send(&pm, &empty, "", json, huge_board()).await, 422, "invalid_value").await;
        let at: Vec<String> = problems(&r).into_iter().map(|p| p.0).collect();
        assert_eq!(at, ["/name", "/cards/0/name", "/labels/0/name", "/cards/0/desc", "/actions/0/data/text"], "{r}");
        let long = format!("Summary,Issue key,Description\n{},K-1,ok\nB,K-2,{}\n", "x".repeat(300), "d".repeat(70_000));
        let r = expect_error(send(&pm, &empty, "", csv, long.into_bytes()).await, 422, "invalid_value").await;
        let p = problems(&r);
        assert_eq!((p[0].0.as_str(), p[1].0.as_str()), ("line 2, Summary", "line 3, Description"), "{r}");
        assert!(p[0].1.contains("may have 255") && p[1].1.contains("may have 65536"), "{r}");

        // Quotes that never close, bytes that are not UTF-8.
        let r = expect_error(
            send(&pm, &empty, "", csv, redteam("malformed_unbalanced_quote.csv")).await,
            422,
            "invalid_value",
        )
        .await;
        assert_eq!(problems(&r)[0].0, "line 3", "{r}");
        let r = expect_error(send(&pm, &empty, "", csv, redteam("latin1_mixed.csv")).await, 422, "invalid_value").await;
        let p = problems(&r);
        assert_eq!(p[0].0, "line 3");
        assert!(p[0].1.contains("not UTF-8") && p[0].1.contains("choose the file's encoding"), "{r}");
        expect_error(send(&pm, &empty, "?encoding=ebcdic", csv, Vec::new()).await, 400, "invalid_query").await;

        assert_eq!(tasks(&pm, &empty).await, Vec::<Value>::new(), "refused files store nothing");
        let after = json_ok(pm.get(&resources).await, 200).await["items"].as_array().unwrap().len();
        assert_eq!(after, people, "no resource either");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_shaped_exports_import_after_a_preview() {
    on_each_database("real_shaped_exports_import_after_a_preview", |app| async move {
        let ws = app.seed_demo().await;
        let pm = app.login_as(Role::ProjectManager).await;

        // A preview reads the file and stores nothing: counts, the column
        // mapping and the first rows.
        let jira = new_project(&pm, &ws, "Jira", "JRX").await;
        let pre =
            json_ok(send(&pm, &jira, "?preview=true", "text/csv", redteam("jira_valid_minimal.csv")).await, 200).await;
        assert_eq!((pre["tasks"].clone(), pre["format"].clone()), (json!(3), json!("jira-csv")), "{pre}");
        let columns = pre["columns"].as_array().unwrap();
        let becomes = |c: &str| columns.iter().find(|x| x["column"] == c).unwrap()["becomes"].clone();
        assert_eq!(becomes("Summary"), "Task name");
        assert_eq!(becomes("Description"), "Task notes");
        assert_eq!(becomes("Reporter"), Value::Null, "not read");
        let rows = pre["rows"].as_array().unwrap();
        let outline: Vec<(u64, &str)> =
            rows.iter().map(|r| (r["outline_level"].as_u64().unwrap(), r["name"].as_str().unwrap())).collect();
        assert_eq!(outline, [(1, "Set up CI"), (1, "Write importer"), (2, "Sub-task: parse CSV")]);
        assert_eq!(rows[1]["assignees"], json!(["carol"]));
        assert_eq!(tasks(&pm, &jira).await.len(), 0, "a preview stores nothing");
        let r = expect_error(
            send(&pm, &jira, "?preview=true", "text/csv", redteam("malformed_unbalanced_quote.csv")).await,
            422,
            "invalid_value",
        )
        .await;
        assert_eq!(problems(&r)[0].0, "line 3");

        // The positive control: a sub-task under its parent, a description
        // on two lines with its quotes.
        json_ok(send(&pm, &jira, "", "text/csv", redteam("jira_valid_minimal.csv")).await, 201).await;
        let all = tasks(&pm, &jira).await;
        let by = |n: &str| all.iter().find(|t| t["name"] == n).unwrap().clone();
        assert_eq!(by("Sub-task: parse CSV")["parent_id"], by("Write importer")["id"]);
        assert_eq!(
            by("Set up CI")["notes"],
            "Two-line description with \"quotes\" and a comma,\r\nsecond line.",
            "byte for byte"
        );

        // Quoted fields across lines, CR, LF and CRLF kept as written; no
        // row from a naive split, the last row without a newline kept.
        let quoted = new_project(&pm, &ws, "Quoted", "QTD").await;
        let r = json_ok(send(&pm, &quoted, "", "text/csv", redteam("embedded_newlines_quotes.csv")).await, 201).await;
        assert_eq!(r["tasks"], 7, "{r}");
        let all = tasks(&pm, &quoted).await;
        let names: Vec<&str> = all.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"Line one Line two") && names.contains(&"\""), "{names:?}");
        let q2 = all.iter().find(|t| t["name"] == "LF only second line").unwrap();
        assert_eq!(q2["notes"], "lone CR\rin the middle");

        // Formulas are data on the way in; points that are no number of
        // points are told, not stored.
        let formulas = new_project(&pm, &ws, "Formulas", "FRM").await;
        let r = json_ok(send(&pm, &formulas, "", "text/csv", redteam("jira_formula_injection.csv")).await, 201).await;
        assert!(r["notes"].to_string().contains("INJ-8 (-5)"), "{r}");
        let all = tasks(&pm, &formulas).await;
        assert!(all.iter().any(|t| t["name"] == "=cmd|'/C notepad'!A0"));

        // Byte-order marks, UTF-16 and a named Windows-1252.
        let bom = new_project(&pm, &ws, "Bom", "BOM").await;
        json_ok(send(&pm, &bom, "", "text/csv", redteam("bom_utf8.csv")).await, 201).await;
        let cp = new_project(&pm, &ws, "Windows", "WIN").await;
        let r =
            expect_error(send(&pm, &cp, "", "text/csv", redteam("cp1252_whole_file.csv")).await, 422, "invalid_value")
                .await;
        assert!(problems(&r)[0].1.contains("Windows-1252"), "{r}");
        json_ok(send(&pm, &cp, "?encoding=windows-1252", "text/csv", redteam("cp1252_whole_file.csv")).await, 201)
            .await;
        let all = tasks(&pm, &cp).await;
        assert_eq!(all[0]["name"], "Résumé review");
        assert_eq!(all[0]["notes"], "“quoted” € 100");
        assert_eq!(all[1]["name"], "Straße – dash");
        let utf16 = new_project(&pm, &ws, "Wide", "U16").await;
        json_ok(send(&pm, &utf16, "", "application/json", redteam("parse_utf16le_bom.json")).await, 201).await;
        let bom = new_project(&pm, &ws, "Notepad", "NTP").await;
        let r = json_ok(send(&pm, &bom, "", "application/json", redteam("parse_utf8_bom.json")).await, 201).await;
        assert!(r["notes"].to_string().contains("nothing to import"), "{r}");

        // The import page's form carries its file and its CSRF token as
        // multipart fields: a wrong token is refused, the right one imports.
        let page = new_project(&pm, &ws, "Page", "PGE").await;
        let form = |token: &str| {
            let part = |name: &str, extra: &str, value: &str| {
                format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n")
            };
            let mut body = part("csrf_token", "", token);
            body.push_str(&part("action", "", "import"));
            body.push_str(&part(
                "file",
                "; filename=\"plan.csv\"\r\nContent-Type: text/csv",
                "Summary,Issue key\nA,K-1\n",
            ));
            body.push_str("--XyZ--\r\n");
            body
        };
        let mut bare = pm.clone();
        let token = bare.csrf.take().unwrap();
        let post = |body: String| {
            bare.request(reqwest::Method::POST, &format!("/projects/{page}/import"))
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .body(body)
                .send()
        };
        assert_eq!(post(form("wrong")).await.unwrap().status(), 403);
        assert!(tasks(&pm, &page).await.is_empty());
        let r = post(form(&token)).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("Imported 1 task<"));
        assert_eq!(tasks(&pm, &page).await.len(), 1);

        // The Trello control: the open card under its list, its checklist's
        // progress, its comment under the member's name.
        let trello = new_project(&pm, &ws, "Trello", "TRX").await;
        let r =
            json_ok(send(&pm, &trello, "", "application/json", redteam("trello_valid_minimal.json")).await, 201).await;
        assert_eq!(r["tasks"], 2, "{r}");
        let all = tasks(&pm, &trello).await;
        let card = all.iter().find(|t| t["name"] == "Write the importer").unwrap();
        assert_eq!(card["percent_complete"], 50);
        let notes = card["notes"].as_str().unwrap();
        assert!(notes.starts_with("Markdown **allowed** here.") && notes.contains("**Alice Example**, 5 Mar 2025"));
        assert!(notes.ends_with("First comment"), "{notes}");
    })
    .await;
}
