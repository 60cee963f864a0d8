//! Which page of which site a request is about, and the names derived from it.

use kudos_core::PageId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRef {
    pub site: String,
    pub page: PageId,
}

impl PageRef {
    pub fn new(site: &str, page: PageId) -> Self {
        PageRef { site: site.to_owned(), page }
    }

    /// The name of the page's Durable Object. A newline cannot occur in a site id from
    /// configuration nor in a page id, so two pages never share an object.
    pub fn object_name(&self) -> String {
        format!("{}\n{}", self.site, self.page)
    }

    /// The tag that starts the ids of this page's comments.
    pub fn tag(&self) -> String {
        kudos_core::comment::page_tag(&self.site, self.page.as_str())
    }

    /// The KV key of the page's snapshot.
    pub fn kv_key(&self) -> String {
        format!("page:{}:{}", self.site, self.page)
    }
}
