//! Architecture checks over the source tree (issue 11): import cycles among the files of
//! `src/`. A file depends on another when it names it through a `crate::` or `super::` path
//! in code (also inside `use` groups such as `use super::{a, b::C}`). Comments do not count:
//! a doc link that points readers elsewhere is not a dependency. Neither do inline
//! `#[cfg(test)] mod tests` blocks at the end of a file. A path resolves to the file of its
//! longest module prefix, as `../shared/tools/import_cycles.py` does; unlike that script this
//! check sees grouped paths and ignores comments (the script counts a doc link such as
//! ``[`crate::digest`]`` as a dependency). Both run: the script too where `../shared` is
//! beside the repository, so a doc link that points up to a module's user fails here as well.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One file's dependencies: target file → the first path that names it.
type Edges = BTreeMap<String, String>;

/// The module path of a file under `src/` (`digest/mod.rs` → `["digest"]`).
fn module_path(relative: &str) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_owned)
        .collect();
    if parts
        .last()
        .is_some_and(|last| ["mod", "lib", "main"].contains(&last.as_str()))
    {
        parts.pop();
    }
    parts
}

/// Every `.rs` file under `dir`, as (path relative to `dir` with `/`, text).
fn read_tree(dir: &Path, relative: &str, files: &mut BTreeMap<String, String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("UTF-8 file name");
        let inner = if relative.is_empty() {
            name.to_owned()
        } else {
            format!("{relative}/{name}")
        };
        if path.is_dir() {
            read_tree(&path, &inner, files);
        } else if name.ends_with(".rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            files.insert(inner, text);
        }
    }
}

/// The text before an inline test module (`#[cfg(test)]` then `mod tests`), which may use
/// anything without making the code depend on it.
fn without_test_module(text: &str) -> &str {
    let mut from = 0;
    while let Some(at) = text[from..].find("#[cfg(test)]") {
        let start = from + at;
        let rest = text[start + "#[cfg(test)]".len()..].trim_start();
        if rest.starts_with("mod tests") {
            return &text[..start];
        }
        from = start + 1;
    }
    text
}

fn is_ident_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// A small reader over the bytes of a path or `use` tree.
struct Cursor<'t> {
    text: &'t [u8],
    at: usize,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        while self.at < self.text.len() && self.text[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.at;
        while self.at < self.text.len() && is_ident_byte(self.text[self.at]) {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.text[start..self.at]).into_owned())
    }

    /// The paths of the tree after `prefix::` (segments after the prefix), e.g. `a::B` or
    /// `{a, b::{C, self}}`; each path as its segments.
    fn tree(&mut self, prefix: &[String], out: &mut Vec<Vec<String>>) {
        if self.eat("{") {
            loop {
                if self.eat("}") {
                    return;
                }
                let before = self.at;
                self.tree(prefix, out);
                if !self.eat(",") {
                    self.eat("}");
                    return;
                }
                if self.at == before {
                    return;
                }
            }
        }
        let Some(segment) = self.ident() else {
            out.push(prefix.to_vec());
            return;
        };
        let mut path = prefix.to_vec();
        if segment != "self" {
            path.push(segment);
        }
        let save = self.at;
        if self.eat("::") {
            self.tree(&path, out);
        } else {
            self.at = save;
            out.push(path);
        }
    }
}

/// `text` with its comments (line, doc and block comments) blanked out.
fn without_comments(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            let end = after.find('\n').unwrap_or(after.len());
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").map_or(after.len(), |end| end + 2);
            rest = &after[end..];
            code.push(' ');
        } else if let Some(after) = rest.strip_prefix('"') {
            // Skip string literals whole, so that "http://…" does not start a comment.
            let mut end = after.len();
            let mut escaped = false;
            for (at, c) in after.char_indices() {
                match c {
                    '\\' if !escaped => escaped = true,
                    '"' if !escaped => {
                        end = at + 1;
                        break;
                    }
                    _ => escaped = false,
                }
            }
            code.push_str("\"\"");
            rest = &after[end..];
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            code.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    code
}

/// The module paths (absolute, without `crate`) that `text`, the file of module `me`,
/// names through `crate::` and `super::`.
fn named_paths(text: &str, me: &[String]) -> Vec<Vec<String>> {
    let bytes = text.as_bytes();
    let mut paths = Vec::new();
    for keyword in ["crate", "super"] {
        let mut from = 0;
        while let Some(found) = text[from..].find(keyword) {
            let start = from + found;
            from = start + keyword.len();
            let bounded_before = start == 0 || !is_ident_byte(bytes[start - 1]);
            let bounded_after = from >= bytes.len() || !is_ident_byte(bytes[from]);
            // `super` right after `super::` was handled with the first one.
            let chained = keyword == "super" && text[..start].trim_end().ends_with("super::");
            if !bounded_before || !bounded_after || chained {
                continue;
            }
            let mut base: Vec<String> = if keyword == "crate" {
                Vec::new()
            } else {
                me[..me.len().saturating_sub(1)].to_vec()
            };
            let mut cursor = Cursor {
                text: bytes,
                at: from,
            };
            if !cursor.eat("::") {
                continue;
            }
            while keyword == "super" && {
                let save = cursor.at;
                let again = cursor.eat("super") && cursor.eat("::");
                if !again {
                    cursor.at = save;
                }
                again
            } {
                base.pop();
            }
            cursor.tree(&base, &mut paths);
        }
    }
    paths
}

/// The import graph of the tree under `src`: file → (file it names → first path naming it).
fn import_graph(src: &Path) -> BTreeMap<String, Edges> {
    let mut files = BTreeMap::new();
    read_tree(src, "", &mut files);
    let by_module: BTreeMap<Vec<String>, String> = files
        .keys()
        .map(|file| (module_path(file), file.clone()))
        .collect();
    let mut graph = BTreeMap::new();
    for (file, text) in &files {
        let me = module_path(file);
        let mut edges = Edges::new();
        for path in named_paths(&without_comments(without_test_module(text)), &me) {
            let target = (1..=path.len())
                .rev()
                .find_map(|len| by_module.get(&path[..len]));
            if let Some(target) = target.filter(|target| *target != file) {
                edges
                    .entry(format!("src/{target}"))
                    .or_insert_with(|| format!("crate::{}", path.join("::")));
            }
        }
        graph.insert(format!("src/{file}"), edges);
    }
    graph
}

/// Strongly connected components with more than one file (Tarjan), each sorted, sorted.
fn cycles(graph: &BTreeMap<String, Edges>) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g BTreeMap<String, Edges>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        found: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, node: &'g str) {
            let next = self.index.len();
            self.index.insert(node, next);
            self.low.insert(node, next);
            self.stack.push(node);
            self.on_stack.insert(node);
            let targets = self
                .graph
                .get(node)
                .into_iter()
                .flat_map(|edges| edges.keys());
            for target in targets {
                let target = target.as_str();
                if !self.index.contains_key(target) {
                    self.visit(target);
                    let low = self.low[node].min(self.low[target]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(target) {
                    let low = self.low[node].min(self.index[target]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    tarjan.found.sort();
    tarjan.found
}

/// Each cycle with the edges that close it, for the failure message.
fn describe(graph: &BTreeMap<String, Edges>, found: &[Vec<String>]) -> String {
    let mut text = format!("import cycles among src/ files: {}\n", found.len());
    for cycle in found {
        text += &format!("  {}\n", cycle.join(" <-> "));
        for from in cycle {
            for (to, path) in &graph[from] {
                if cycle.contains(to) {
                    text += &format!("    {from} -> {to} ({path})\n");
                }
            }
        }
    }
    text
}

#[test]
fn src_has_no_import_cycles() {
    let graph = import_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let found = cycles(&graph);
    assert!(found.is_empty(), "{}", describe(&graph, &found));
}

/// The shared script counts doc links (``[`super::detail`]``) as dependencies too, and it is
/// what reviewers run: a doc link from a lower module up to its user is a cycle there. Run it
/// where `../shared` is beside the repository (as in CI); say so where it is not.
#[test]
fn shared_import_cycle_script_finds_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("../shared/tools/import_cycles.py");
    if !script.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs with ../shared beside the repository: {} is missing",
            script.display()
        );
        println!("skipped: {} not found", script.display());
        return;
    }
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg("src")
        .current_dir(root)
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("import cycles among src/ files: 0"), "{text}");
}

#[test]
fn import_cycle_check_sees_grouped_and_super_paths_and_skips_comments_and_test_modules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("b")).expect("mkdir");
    let files = [
        ("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n"),
        // Grouped, nested and `self` paths.
        ("a.rs", "use crate::{b::{self, inner::Thing}, c as _};\n"),
        ("b/mod.rs", "pub mod inner;\n"),
        // `super::super` from b::inner is the crate root, so this names a.rs: a cycle.
        ("b/inner.rs", "pub fn f() { super::super::a::g(); }\n"),
        // Names a.rs only in comments and strings.
        (
            "c.rs",
            "/// See [`crate::a`].\npub fn h() -> &'static str { /* crate::a */ \"crate::a // \\\" x\" }\n",
        ),
        // Only its test module names a.rs, so a.rs → d.rs would not close a cycle.
        (
            "d.rs",
            "pub fn k() {}\n#[cfg(test)]\nmod tests {\n    use crate::a;\n}\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(src.join(name), text).expect("write source");
    }
    let graph = import_graph(&src);
    assert_eq!(
        graph["src/a.rs"].keys().collect::<Vec<_>>(),
        ["src/b/inner.rs", "src/b/mod.rs", "src/c.rs"]
    );
    assert!(graph["src/c.rs"].is_empty(), "{graph:?}");
    assert!(graph["src/d.rs"].is_empty(), "{graph:?}");
    assert_eq!(
        cycles(&graph),
        [vec!["src/a.rs".to_owned(), "src/b/inner.rs".to_owned()]]
    );
}
