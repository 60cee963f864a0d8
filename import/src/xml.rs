//! A small streaming reader over quick-xml: it hands over each record element (a Disqus
//! `<post>`) as a tree of its own, and each part of a record (a WordPress post's
//! `<wp:comment>`) as it is read, so a file of any size is read a record at a time, from
//! any reader (a file, or what a gzip file unpacks to). Names are local (prefixes
//! dropped), text is unescaped and CDATA kept as text; broken XML is an error naming its
//! line.

use crate::ImportError;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::io::{BufRead, Read};

/// The most text an XML file may hold without markup: far past any comment, and a bound
/// on what one text (a file of nothing but spaces, say) costs to read.
const MAX_TEXT_RUN: usize = 16 << 20;

/// A reader that counts the lines it has handed over, so an error or a record can name
/// its line without the file being kept, and refuses a run of text longer than
/// [`MAX_TEXT_RUN`] (quick-xml holds a whole text in memory).
struct Counted<R> {
    inner: R,
    newlines: usize,
    /// Bytes handed over since the last `<`.
    text_run: usize,
}

impl<R: BufRead> Counted<R> {
    /// The line the next byte is on (1-based).
    fn line(&self) -> usize {
        self.newlines + 1
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.text_run > MAX_TEXT_RUN {
            return Err(std::io::Error::other(format!(
                "more than {} MiB of text without markup",
                MAX_TEXT_RUN >> 20
            )));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        if let Ok(buffer) = self.inner.fill_buf() {
            let taken = &buffer[..n.min(buffer.len())];
            self.newlines += taken.iter().filter(|b| **b == b'\n').count();
            self.text_run = match taken.iter().rposition(|b| *b == b'<') {
                Some(at) => taken.len() - at - 1,
                None => self.text_run + taken.len(),
            };
        }
        self.inner.consume(n);
    }
}

/// An element with its attributes (local names), its own text and its children.
#[derive(Debug, Default, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
    /// The line it starts on (1-based).
    pub line: usize,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child named `name`; empty when there is none.
    pub fn text_of(&self, name: &str) -> &str {
        self.child(name).map_or("", |c| c.text.trim())
    }

    /// The attribute with this local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

/// The most XML a record may hold at once (besides the parts handed over on their own):
/// far past any comment, and a bound on what one record costs to hold.
const MAX_RECORD: usize = 16 << 20;

/// The most elements a record may hold at once, and attributes an element may have: far
/// past any export's (a Disqus post has about ten elements), and a bound on what the tree
/// of one record costs (an element takes far more memory than its few bytes of XML).
const MAX_ELEMENTS: usize = 10_000;
const MAX_ATTRIBUTES: usize = 64;

/// The most elements a record may nest (a hostile file cannot make the tree deep).
const MAX_DEPTH: usize = 64;

/// What [`records`] hands over.
pub enum Found<'a> {
    /// A record, whole but for its parts.
    Record(Element),
    /// A part of a record (a WordPress post's comment), as soon as it is read, with what
    /// was read of its record before it; the record does not keep it.
    Part { of: &'a Element, part: Element },
}

/// Calls `found` with every element named one of `records`, at any depth outside another
/// record, in document order; a record's children named one of `parts` are handed over on
/// their own as they are read, so a record with many (a post's comments) is not held whole.
pub fn records(
    input: impl BufRead,
    records: &[&str],
    parts: &[&str],
    mut found: impl FnMut(Found) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut reader = Reader::from_reader(Counted { inner: input, newlines: 0, text_run: 0 });
    reader.config_mut().check_end_names = true;
    // The open elements of the record being read (empty outside a record).
    let mut open: Vec<Element> = Vec::new();
    // Elements open around the records (the root, Disqus's `<disqus>` or WordPress's
    // `<rss><channel>`): a file that ends inside one was cut short.
    let mut around: Vec<String> = Vec::new();
    let mut any = false;
    let mut buf = Vec::new();
    // Where what the record being read holds began: the record's start, or the end of its
    // last part handed over.
    let mut held_since = 0;
    // How many elements the record being read holds (its parts' count while read).
    let mut held_elements = 0;
    loop {
        // quick-xml takes each event's bytes and no more, so this is the line it starts on.
        let at = reader.get_ref().line();
        if open.is_empty() {
            held_since = reader.buffer_position();
        } else if reader.buffer_position() - held_since > MAX_RECORD as u64 {
            return Err(ImportError::Broken {
                line: at,
                why: format!("a record is longer than {} MiB", MAX_RECORD >> 20),
            });
        }
        let event = reader.read_event_into(&mut buf).map_err(|e| ImportError::Broken {
            line: reader.get_ref().line(),
            why: format!("the XML is broken: {e}"),
        })?;
        let decode_error = |e: &dyn std::fmt::Display| ImportError::Broken {
            line: at,
            why: format!("unreadable text (a file not in UTF-8 is read by `kudos import`): {e}"),
        };
        let closed = matches!(event, Event::Empty(_));
        any |= matches!(event, Event::Start(_) | Event::Empty(_));
        match event {
            Event::Start(start) | Event::Empty(start)
                if !open.is_empty() || records.contains(&local(start.name().as_ref()).as_str()) =>
            {
                let mut element =
                    Element { name: local(start.name().as_ref()), line: at, ..Element::default() };
                if open.is_empty() {
                    held_elements = 0;
                }
                held_elements += 1;
                let too_many = |what: String| ImportError::Broken { line: at, why: what };
                if held_elements > MAX_ELEMENTS {
                    let why = format!("a record holds more than {MAX_ELEMENTS} elements");
                    return Err(too_many(why));
                }
                for (n, attr) in start.attributes().enumerate() {
                    if n >= MAX_ATTRIBUTES {
                        let why = format!("an element has more than {MAX_ATTRIBUTES} attributes");
                        return Err(too_many(why));
                    }
                    let attr = attr.map_err(|e| decode_error(&e))?;
                    let value = attr
                        .decoded_and_normalized_value(
                            quick_xml::XmlVersion::Implicit1_0,
                            reader.decoder(),
                        )
                        .map_err(|e| decode_error(&e))?;
                    element.attrs.push((local(attr.key.as_ref()), value.into_owned()));
                }
                if open.len() >= MAX_DEPTH {
                    return Err(ImportError::Broken {
                        line: at,
                        why: format!("elements nest deeper than {MAX_DEPTH}"),
                    });
                }
                if closed {
                    if close(element, &mut open, parts, &mut found)? {
                        (held_since, held_elements) = (reader.buffer_position(), 1);
                    }
                } else {
                    open.push(element);
                }
            }
            Event::Start(_) if around.len() >= MAX_DEPTH => {
                return Err(ImportError::Broken {
                    line: at,
                    why: format!("elements nest deeper than {MAX_DEPTH}"),
                });
            }
            Event::Start(start) => around.push(local(start.name().as_ref())),
            Event::End(_) if open.is_empty() => {
                around.pop();
            }
            Event::End(_) => {
                let done = open.pop().expect("an open element");
                if close(done, &mut open, parts, &mut found)? {
                    (held_since, held_elements) = (reader.buffer_position(), 1);
                }
            }
            Event::Text(text) if !open.is_empty() => {
                let text = text.xml10_content().map_err(|e| decode_error(&e))?;
                open.last_mut().expect("open").text.push_str(&text);
            }
            Event::CData(data) if !open.is_empty() => {
                let text = data.decode().map_err(|e| decode_error(&e))?;
                open.last_mut().expect("open").text.push_str(&text);
            }
            Event::GeneralRef(reference) if !open.is_empty() => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        let name = reference.decode().map_err(|e| decode_error(&e))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| ImportError::Broken {
                                line: at,
                                why: format!("unknown entity &{name};"),
                            })?
                            .to_owned()
                    }
                };
                open.last_mut().expect("open").text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !any {
        return Err(ImportError::Broken { line: 1, why: "the file holds no XML element".into() });
    }
    let unclosed = open.first().map(|e| &e.name).or(around.last());
    if let Some(name) = unclosed {
        return Err(ImportError::Broken {
            line: reader.get_ref().line(),
            why: format!(
                "the file ends before </{name}>: it was cut short, and nothing of it is imported"
            ),
        });
    }
    Ok(())
}

/// Places an element read whole: in its parent, or handed over as a record or a part
/// (answering whether it was handed over).
fn close(
    done: Element,
    open: &mut [Element],
    parts: &[&str],
    found: &mut impl FnMut(Found) -> Result<(), ImportError>,
) -> Result<bool, ImportError> {
    match open {
        [] => found(Found::Record(done)).map(|()| true),
        [record] if parts.contains(&done.name.as_str()) => {
            found(Found::Part { of: record, part: done }).map(|()| true)
        }
        [.., parent] => {
            parent.children.push(done);
            Ok(false)
        }
    }
}
