//! Moving out: the page as stored, for an export ([`PageRules::export`]).
//!
//! Moving in: comments from another system, stored once each by their source and id (an import run
//! again adds nothing), threaded under their parent (imported in this batch or an earlier
//! one; a reply whose parent never came is a comment), with their own time, status and
//! likes. Nobody is notified and nobody is emailed: these are old news.

use super::{PageRules, Ruled};
use crate::page_object::protocol::{Import, Imported};
use crate::page_object::store::NewRow;
use kudos_core::comment;
use kudos_core::thread::Stored;
use kudos_core::visitor::VisitorKey;
use kudos_core::wire::{
    EXPORT_CHUNK, EXPORT_CHUNK_BYTES, ExportedComment, ImportReply, ImportSkip, ImportStatus,
    PageExport,
};

impl PageRules<'_> {
    /// The page and its comments after the one numbered `after`, oldest first, a chunk at
    /// a time: everything readers or the owner see of them; who wrote them (their keys)
    /// only when `private`; never addresses or edit tokens.
    pub fn export(&self, after: u64, private: bool) -> Ruled<PageExport> {
        let page = self.store.page()?;
        let after = after.min(i64::MAX as u64) as i64;
        let mut rows = self.store.comments_after(after, EXPORT_CHUNK + 1)?;
        // At most EXPORT_CHUNK comments, and past the first only while their text fits
        // within EXPORT_CHUNK_BYTES (every answer keeps within its size).
        let mut bytes = 0;
        let fit = rows
            .iter()
            .take(EXPORT_CHUNK)
            .position(|r| {
                bytes += r.body.len() + r.html.len() + r.name.len();
                bytes > EXPORT_CHUNK_BYTES
            })
            .map_or(EXPORT_CHUNK, |at| at.max(1));
        let more = rows.len() > fit;
        rows.truncate(fit);
        let next = rows.last().filter(|_| more).map(|r| r.seq.to_string());
        let comments = rows
            .into_iter()
            .map(|r| ExportedComment {
                id: self.item_id(r.seq),
                parent: r.parent_seq.map(|p| self.item_id(p)),
                by_owner: VisitorKey::owner().as_str() == r.author,
                name: r.name,
                website: r.website,
                body: r.body,
                html: r.html,
                status: r.status.as_str().to_owned(),
                likes: r.likes.max(0) as u64,
                created_at: r.created_at,
                edited_at: r.edited_at,
                source: r.source,
                author: private.then_some(r.author),
                email: None,
            })
            .collect();
        Ok(PageExport {
            page: self.page.page.to_string(),
            likes: page.as_ref().map_or(0, |p| p.likes.max(0) as u64),
            closed: page.as_ref().is_some_and(|p| p.closed != 0),
            pinned: page.and_then(|p| p.pinned_seq).map(|seq| self.item_id(seq)),
            comments,
            next,
        })
    }

    /// One batch: its comments, then its rewards, then the page's own state. A dry run
    /// stores nothing, and answers the page's comments by state and what the batch would
    /// add.
    pub fn import(&self, import: Import) -> Ruled<ImportReply> {
        let store = self.store;
        let rules = &self.settings.comments;
        let source = import.source.as_str();
        let mut reply = ImportReply::default();
        if import.dry_run {
            reply.before = store.status_counts()?;
        }
        let mut count = store.comment_count()?;
        for item in import.items {
            // Known by where it first came from, and by the key it was sent under.
            let key = item.key(source);
            let sent_as = format!("{source}:{}", item.id);
            if store.comment_by_import_key(&key)?.is_some()
                || store.comment_by_import_key(&sent_as)?.is_some()
            {
                reply.existing += 1;
                continue;
            }
            if count >= rules.max_comments_per_page as i64 {
                let why = "the page holds as many comments as the site allows".into();
                reply.skipped.push(ImportSkip { id: item.id, why });
                continue;
            }
            let status = match item.status {
                ImportStatus::Approved => Stored::Published,
                ImportStatus::Pending => Stored::Pending,
                ImportStatus::Spam => Stored::Spam,
                ImportStatus::Hidden => Stored::Hidden,
                ImportStatus::Deleted => Stored::Deleted,
            };
            if import.dry_run {
                *reply.adds.entry(status.as_str().to_owned()).or_default() += 1;
                count += 1;
                reply.added += 1;
                continue;
            }
            let parent = match &item.parent {
                Some(id) => store.comment_by_import_key(&format!("{source}:{id}"))?,
                None => None,
            };
            let (parent_seq, root_seq, depth) = match parent {
                None => (None, None, 0),
                Some(parent) => {
                    let (attach_to, depth) = comment::attach(
                        parent.seq as u64,
                        parent.depth as u32,
                        parent.parent_seq.map(|g| g as u64),
                        rules.max_depth,
                    );
                    (Some(attach_to as i64), Some(parent.root_seq), depth)
                }
            };
            // A comment deleted where it came from keeps what one deleted here keeps: its
            // place in its thread, and neither its text nor who wrote it.
            let item = match status {
                Stored::Deleted => Imported {
                    name: String::new(),
                    website: None,
                    body: String::new(),
                    html: String::new(),
                    edited_at: None,
                    ..item
                },
                _ => item,
            };
            // An imported author's key names the system the comment first came from.
            let system = key.split_once(':').map_or(source, |(system, _)| system);
            let author = match (&item.author, item.by_owner) {
                (Some(author), _) => author.clone(),
                (None, true) => VisitorKey::owner(),
                (None, false) => VisitorKey::imported(system, &item.name),
            };
            // The number its id had, when no comment here has it yet.
            let seq = match item.seq.map(|s| s as i64) {
                Some(seq) if store.comment(seq)?.is_none() => Some(seq),
                _ => None,
            };
            let row = store.insert_comment(&NewRow {
                rule: None,
                parent_seq,
                root_seq,
                depth,
                author: author.as_str(),
                ip: "",
                name: &item.name,
                website: item.website.as_deref(),
                body: &item.body,
                html: &item.html,
                status,
                created_at: item.created_at,
                edit_token_hash: "",
                idempotency_key: &sent_as,
                source: Some(&key),
                seq,
            })?;
            if item.likes > 0 {
                store.set_base_likes(row.seq, item.likes)?;
            }
            if let Some(at) = item.edited_at {
                store.update_body(row.seq, &item.body, &item.html, at)?;
            }
            if status == Stored::Published && row.depth > 0 {
                store.show_new_reply(row.seq)?;
            }
            self.index(&row)?;
            count += 1;
            reply.added += 1;
        }
        if import.dry_run {
            for reward in &import.rewards {
                match store.reward_by_session(&reward.paid.session)? {
                    Some(_) => reply.existing += 1,
                    None => reply.added += 1,
                }
            }
            return Ok(reply);
        }
        if reply.added > 0 {
            store.recount_comments()?;
        }
        for reward in import.rewards {
            if self.record(&reward.paid, reward.at, false)? {
                reply.added += 1;
                let row = store.reward_by_session(&reward.paid.session)?;
                if let Some(row) = row.filter(|_| reward.message_hidden) {
                    self.hide_reward_message(row.seq as u64, true)?;
                }
            } else {
                reply.existing += 1;
            }
        }
        if let Some(settings) = import.settings {
            store.raise_likes(settings.likes)?;
            if settings.closed {
                self.close(true)?;
            }
            let pinned = match settings.pinned {
                Some(id) => store.comment_by_import_key(&format!("{source}:{id}"))?,
                None => None,
            };
            if let Some(row) = pinned.filter(|r| r.depth == 0 && r.stored() == Stored::Published) {
                self.pin(row.seq as u64, true)?;
            }
        }
        Ok(reply)
    }
}
