//! JSON read as it goes: [`walk`] hands over each element of the arrays a format names
//! (`comments`, `data.Comment`) as it is read and skips everything else without keeping
//! it, so a JSON export costs in memory one record, not its size. One record may be at
//! most [`MAX_LINE_BYTES`] of JSON, and serde_json refuses nesting past 128 levels.

use crate::{ImportError, MAX_LINE_BYTES};
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::io::{BufRead, Read};
use std::rc::Rc;

/// A reader that counts what has been read since the record being kept began (while one
/// is), and refuses a record, or a run of blank space, past [`MAX_LINE_BYTES`] (give or
/// take what is read ahead).
struct Capped<'a> {
    inner: &'a mut dyn BufRead,
    /// The most a record may be: [`MAX_LINE_BYTES`].
    cap: usize,
    /// The blank space read since the last byte that was not.
    blank: usize,
    /// Bytes of the record being kept so far, while one is.
    record: Rc<Cell<Option<usize>>>,
}

impl Read for Capped<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        let read = &out[..n];
        self.blank = match read.iter().rposition(|b| !b.is_ascii_whitespace()) {
            Some(at) => n - at - 1,
            None => self.blank + n,
        };
        if self.blank > self.cap {
            return Err(std::io::Error::other(format!(
                "more than {} of blank space",
                said(self.cap)
            )));
        }
        if let Some(so_far) = self.record.get() {
            let so_far = so_far + n;
            if so_far > self.cap {
                let size = said(self.cap);
                return Err(std::io::Error::other(format!("a record is longer than {size}")));
            }
            self.record.set(Some(so_far));
        }
        Ok(n)
    }
}

/// Where [`walk`] found a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Place {
    /// Which of the arrays it is in.
    pub which: usize,
    /// Which document of the file (0-based).
    pub doc: usize,
    /// Its index in its array.
    pub n: usize,
}

/// A size as the owner reads it: `16 MiB`, `1 KiB`.
fn said(bytes: usize) -> String {
    match bytes >> 20 {
        0 => format!("{} KiB", bytes >> 10),
        mib => format!("{mib} MiB"),
    }
}

/// What [`walk`] calls with each record.
pub(crate) type Each<'a> = dyn FnMut(Place, Value) -> Result<(), ImportError> + 'a;

/// Reads the JSON in `input` (one document, or with `many` one after another, as `gh api
/// --paginate` writes them), calling `each` with every element of each array found at one
/// of `arrays` (each a path of object keys; an empty path is a document that is an array)
/// as it is read; a value there that is not an array is handed over as it is. Answers
/// which of the arrays were found, and how many documents were read. Whatever is held to
/// be read (a record, a key, a value on the way to a named array) is capped; what is
/// skipped is not held.
pub(crate) fn walk(
    input: &mut dyn BufRead,
    arrays: &[&[&str]],
    many: bool,
    each: &mut Each<'_>,
) -> Result<(Vec<bool>, usize), ImportError> {
    walk_capped(input, arrays, many, MAX_LINE_BYTES, each)
}

/// [`walk`], refusing a record past `cap` bytes.
fn walk_capped(
    input: &mut dyn BufRead,
    arrays: &[&[&str]],
    many: bool,
    cap: usize,
    each: &mut Each<'_>,
) -> Result<(Vec<bool>, usize), ImportError> {
    let record = Rc::new(Cell::new(None));
    let reader = Capped { inner: input, cap, blank: 0, record: record.clone() };
    // Buffered, so serde_json's reads of a byte at a time are cheap.
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    let walker = Walker {
        arrays,
        each: RefCell::new(each),
        found: RefCell::new(vec![false; arrays.len()]),
        failed: RefCell::new(None),
        record,
        doc: Cell::new(0),
    };
    let mut documents = 0;
    loop {
        if documents > 0 && (!many || de.end().is_ok()) {
            break;
        }
        walker.holding(true);
        let walked = At { walker: &walker, path: Vec::new() }.deserialize(&mut de);
        walker.holding(false);
        if let Some(failed) = walker.failed.borrow_mut().take() {
            return Err(failed);
        }
        walked.map_err(broken)?;
        documents += 1;
        walker.doc.set(documents);
    }
    de.end().map_err(broken)?;
    Ok((walker.found.into_inner(), documents))
}

fn broken(e: serde_json::Error) -> ImportError {
    match e.is_io() {
        true => ImportError::Unsupported(e.to_string()),
        false => ImportError::Broken { line: e.line(), why: format!("the JSON is broken: {e}") },
    }
}

struct Walker<'w, 'e> {
    arrays: &'w [&'w [&'w str]],
    each: RefCell<&'w mut Each<'e>>,
    found: RefCell<Vec<bool>>,
    /// What `each` answered when it refused a record (serde's errors carry only text).
    failed: RefCell<Option<ImportError>>,
    record: Rc<Cell<Option<usize>>>,
    /// The document being read.
    doc: Cell<usize>,
}

impl Walker<'_, '_> {
    /// Starts counting what is read against the cap (what is read next is held), or stops.
    fn holding(&self, held: bool) {
        self.record.set(held.then_some(0));
    }
}

/// The walk at one place in the document.
struct At<'a, 'w, 'e> {
    walker: &'a Walker<'w, 'e>,
    path: Vec<String>,
}

impl At<'_, '_, '_> {
    /// Whether an array named here may lie at or below `path`.
    fn leads_on(&self, path: &[String]) -> bool {
        self.walker
            .arrays
            .iter()
            .any(|a| a.len() >= path.len() && a.iter().zip(path).all(|(a, p)| a == p))
    }

    fn array_here(&self) -> Option<usize> {
        self.walker.arrays.iter().position(|a| {
            a.len() == self.path.len() && a.iter().zip(&self.path).all(|(a, p)| a == p)
        })
    }
}

impl<'de> DeserializeSeed<'de> for At<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for At<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            // A key is held while it is read, and so is a value on the way to a named
            // array (a string there is read whole): both are capped.
            self.walker.holding(true);
            let Some(key) = map.next_key::<String>()? else { break };
            let mut path = self.path.clone();
            path.push(key);
            if self.leads_on(&path) {
                map.next_value_seed(At { walker: self.walker, path })?;
            } else {
                self.walker.holding(false);
                map.next_value::<IgnoredAny>()?;
            }
        }
        self.walker.holding(false);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some(which) = self.array_here() else {
            self.walker.holding(false);
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        };
        self.walker.found.borrow_mut()[which] = true;
        let mut n = 0;
        loop {
            self.walker.holding(true);
            let next = seq.next_element::<Value>();
            self.walker.holding(false);
            let Some(value) = next? else { return Ok(()) };
            self.hand_over(which, n, value).map_err(A::Error::custom)?;
            n += 1;
        }
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(v.into())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(v.into())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(v.into())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(v.into())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(v.into())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.scalar(Value::Null)
    }
}

impl At<'_, '_, '_> {
    /// A value that is not an array at a named place (a file's `version`): handed over as
    /// the only element there.
    fn scalar<E: serde::de::Error>(self, value: Value) -> Result<(), E> {
        let Some(which) = self.array_here() else { return Ok(()) };
        self.walker.found.borrow_mut()[which] = true;
        self.hand_over(which, 0, value).map_err(E::custom)
    }

    /// Hands `value` to `each`; what it refuses is kept for [`walk`] to answer.
    fn hand_over(&self, which: usize, n: usize, value: Value) -> Result<(), String> {
        let place = Place { which, doc: self.walker.doc.get(), n };
        let handed = (self.walker.each.borrow_mut())(place, value);
        handed.map_err(|e| {
            let said = e.to_string();
            *self.walker.failed.borrow_mut() = Some(e);
            said
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What walking `json` hands over, a record capped at 16 KiB (twice what is read ahead).
    fn walked(
        json: &str,
        arrays: &[&[&str]],
        many: bool,
    ) -> Result<Vec<(usize, usize, Value)>, ImportError> {
        let mut seen = Vec::new();
        walk_capped(&mut json.as_bytes(), arrays, many, 16 << 10, &mut |at, value| {
            seen.push((at.which, at.n, value));
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn the_named_arrays_elements_are_handed_over_and_the_rest_skipped() {
        let json = r#"{"version": 3, "comments": [{"id": 1}, {"id": 2}], "skip": {"comments": [9]},
                       "data": {"Comment": [{"id": 3}]}}"#;
        let seen = walked(json, &[&["comments"], &["data", "Comment"]], false).unwrap();
        let ids: Vec<(usize, usize, i64)> =
            seen.iter().map(|(w, n, v)| (*w, *n, v["id"].as_i64().unwrap())).collect();
        assert_eq!(ids, [(0, 0, 1), (0, 1, 2), (1, 0, 3)]);
        let top = walked("[1, 2]\n[3]", &[&[]], true).unwrap();
        assert_eq!(top.len(), 3, "documents one after another");
        assert!(walked("[1]\n[2]", &[&[]], false).is_err(), "more than one document");
    }

    #[test]
    fn broken_json_names_its_line_and_a_record_past_the_cap_is_refused() {
        let error = walked("{\"comments\": [\n{\"id\": 1},\n{\"id\": }]}", &[&["comments"]], false)
            .unwrap_err();
        assert!(matches!(error, ImportError::Broken { line: 3, .. }), "{error}");
        // Past the cap and what the reader reads ahead.
        let huge = format!("{{\"comments\": [\"{}\"]}}", "x".repeat(64 << 10));
        let error = walked(&huge, &[&["comments"]], false).unwrap_err().to_string();
        assert!(error.contains("longer than 16 KiB"), "{error}");
        let skipped = format!("{{\"other\": \"{}\", \"comments\": []}}", "x".repeat(64 << 10));
        assert!(walked(&skipped, &[&["comments"]], false).is_ok(), "what is skipped is not kept");
        for held in [
            format!("{{\"{}\": []}}", "k".repeat(64 << 10)),
            format!("{{\"comments\": \"{}\"}}", "x".repeat(64 << 10)),
            format!("\"{}\"", "x".repeat(64 << 10)),
        ] {
            let error = walked(&held, &[&["comments"]], false).unwrap_err().to_string();
            assert!(error.contains("longer than 16 KiB"), "{error}");
        }
        let blank = format!("{{\"comments\": [{}]}}", " ".repeat(64 << 10));
        let error = walked(&blank, &[&["comments"]], false).unwrap_err().to_string();
        assert!(error.contains("more than 16 KiB of blank space"), "{error}");
        let deep = format!("{{\"comments\": [{}{}]}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(walked(&deep, &[&["comments"]], false).is_err());
    }
}
