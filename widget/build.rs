//! Minifies the widget's stylesheet at build time: it ships inside the Wasm, on every
//! article page, so its comments and indentation are dropped.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/style.css");
    let css = std::fs::read_to_string("src/style.css").expect("src/style.css");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("style.min.css");
    std::fs::write(out, minify(&css)).expect("write the minified stylesheet");
}

/// Removes comments, collapses whitespace, and drops the spaces that punctuation makes
/// redundant. Spaces before `:` stay (in a selector, `a :hover` differs from `a:hover`),
/// and the stylesheet holds no strings where this would change meaning.
fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map_or("", |(_, after)| after);
    }
    without_comments.push_str(rest);
    let collapsed = without_comments.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = collapsed;
    for punct in ["{", "}", ";", ",", ">"] {
        out = out.replace(&format!(" {punct}"), punct).replace(&format!("{punct} "), punct);
    }
    out.replace(": ", ":").replace(";}", "}")
}
