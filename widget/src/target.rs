//! What a reader likes: the page or one comment. Named by the state, the API client and
//! the browser's memory alike, below all three.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Page,
    /// A comment, by id.
    Comment(String),
}
