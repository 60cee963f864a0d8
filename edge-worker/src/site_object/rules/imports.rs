//! Imported items across the site: each `<system>:<its id>` is held by the first page it
//! is imported to (or where that page moved), so an import run twice, or on two pages,
//! stores each item once; an imported author's address is kept only for an item the page
//! that asks holds.

use super::SiteRules;
use crate::site_object::protocol::{MAX_CLAIMS, SiteReply};
use crate::storage::StoreResult;

impl SiteRules<'_> {
    /// The page `page` moved to, or `page` itself.
    pub(super) fn current_page(&self, page: &str) -> StoreResult<String> {
        Ok(self.store.moved_to(page)?.unwrap_or_else(|| page.to_owned()))
    }

    /// Claims items for `page` (at most [`MAX_CLAIMS`]; only looks when not `claim`);
    /// answers those another page holds, with that page.
    pub(super) fn claim_sources(
        &self,
        page: &str,
        sources: Vec<String>,
        claim: bool,
    ) -> StoreResult<Vec<(String, String)>> {
        let page = self.current_page(page)?;
        let mut elsewhere = Vec::new();
        for source in sources.into_iter().take(MAX_CLAIMS) {
            let held = match claim {
                true => self.store.claim_source(&source, &page)?,
                false => self.store.source_holder(&source)?,
            };
            if let Some(held) = held.filter(|h| *h != page) {
                elsewhere.push((source, held));
            }
        }
        Ok(elsewhere)
    }

    pub(super) fn keep_imported_emails(
        &self,
        page: &str,
        emails: Vec<(String, String)>,
    ) -> StoreResult<SiteReply> {
        let page = self.current_page(page)?;
        for (source, email) in emails.into_iter().take(MAX_CLAIMS) {
            self.store.keep_imported_email(&source, &email, &page)?;
        }
        Ok(SiteReply::Done)
    }

    /// The addresses kept for imported items (at most an export chunk's).
    pub(super) fn imported_emails(
        &self,
        sources: Vec<String>,
    ) -> StoreResult<Vec<(String, String)>> {
        let mut found = Vec::new();
        for source in sources.into_iter().take(kudos_core::wire::EXPORT_CHUNK) {
            found.extend(self.store.imported_email(&source)?.map(|email| (source, email)));
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_site::Site;
    use crate::site_object::protocol::{MAX_CLAIMS, SiteCommand};

    fn claim(site: &Site, page: &str, sources: &[&str]) -> Vec<(String, String)> {
        let sources = sources.iter().map(|s| s.to_string()).collect();
        site.ask(SiteCommand::ClaimSources { page: page.into(), sources, look_only: false })
    }

    fn keep(site: &Site, page: &str, source: &str, email: &str) {
        let emails = vec![(source.into(), email.into())];
        site.run(SiteCommand::KeepImportedEmails { page: page.into(), emails });
    }

    fn emails(site: &Site, sources: &[&str]) -> Vec<(String, String)> {
        let sources = sources.iter().map(|s| s.to_string()).collect();
        site.ask(SiteCommand::ImportedEmails { sources })
    }

    #[test]
    fn an_item_is_held_by_the_first_page_that_claims_it() {
        let site = Site::new();
        assert!(claim(&site, "/a", &["isso:1", "isso:2"]).is_empty());
        assert!(claim(&site, "/a", &["isso:1"]).is_empty(), "the same page again");
        assert_eq!(claim(&site, "/b", &["isso:2", "isso:3"]), [("isso:2".into(), "/a".into())]);
    }

    #[test]
    fn a_dry_run_asks_who_holds_items_and_claims_none() {
        let site = Site::new();
        claim(&site, "/a", &["isso:1"]);
        let held = |page: &str| -> Vec<(String, String)> {
            let sources = vec!["isso:1".into(), "isso:2".into()];
            site.ask(SiteCommand::ClaimSources { page: page.into(), sources, look_only: true })
        };
        assert_eq!(held("/b"), [("isso:1".into(), "/a".into())]);
        assert!(held("/a").is_empty());
        assert!(claim(&site, "/c", &["isso:2"]).is_empty(), "the look claimed nothing");
    }

    #[test]
    fn an_address_is_kept_only_for_an_item_the_page_holds() {
        let site = Site::new();
        claim(&site, "/a", &["isso:1"]);
        keep(&site, "/a", "isso:1", "ada@example.com");
        keep(&site, "/b", "isso:1", "eve@example.com");
        keep(&site, "/b", "isso:9", "eve@example.com");
        assert_eq!(
            emails(&site, &["isso:1", "isso:9"]),
            [("isso:1".into(), "ada@example.com".into())]
        );
    }

    #[test]
    fn claims_for_a_page_that_moved_go_to_where_it_went() {
        let site = Site::new();
        claim(&site, "/a", &["isso:1"]);
        site.run(SiteCommand::PageMoved { page: "/a".into(), to: "/b".into(), at: 0 });
        assert!(claim(&site, "/a", &["isso:1", "isso:2"]).is_empty(), "held by /b, as /a is");
        assert_eq!(claim(&site, "/c", &["isso:2"]), [("isso:2".into(), "/b".into())]);
        keep(&site, "/a", "isso:1", "ada@example.com");
        assert_eq!(emails(&site, &["isso:1"]).len(), 1);
    }

    #[test]
    fn one_claim_names_at_most_max_claims_items() {
        let site = Site::new();
        let many: Vec<String> = (0..MAX_CLAIMS + 5).map(|n| format!("isso:{n}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        claim(&site, "/a", &names);
        let past = claim(&site, "/b", &names[MAX_CLAIMS - 1..MAX_CLAIMS + 1]);
        assert_eq!(
            past,
            [(names[MAX_CLAIMS - 1].to_owned(), "/a".to_owned())],
            "the rest unclaimed"
        );
    }

    #[test]
    fn an_export_asks_for_at_most_a_chunk_of_addresses_at_once() {
        let site = Site::new();
        let chunk = kudos_core::wire::EXPORT_CHUNK;
        let names: Vec<String> = (0..chunk + 3).map(|n| format!("isso:{n}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        claim(&site, "/a", &refs[..chunk.min(MAX_CLAIMS)]);
        for name in &refs[..chunk.min(MAX_CLAIMS)] {
            keep(&site, "/a", name, "ada@example.com");
        }
        assert!(emails(&site, &refs).len() <= chunk);
    }
}
