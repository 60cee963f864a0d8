//! `--map`: the rewrites of another system's page addresses into kudos's pages, from the
//! command line's pairs or a mapping file.

/// URL prefixes rewritten before pages are named, the first that matches winning:
/// `--map https://old.example/blog/=/posts/`, or one `OLD<TAB>NEW` per line of a file
/// (`--map-file`). A prefix matches whole parts of an address: `/index.php?p=4` does not
/// match `/index.php?p=42`, so pages that differ only by their query string can each be
/// mapped to a page of their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Map(Vec<(String, String)>);

impl Map {
    /// From `OLD=NEW` pairs. A kudos page never has `=` in it (its id has no query
    /// string), so the pair splits at its last `=`: `/index.php?p=42=/posts/a` maps
    /// `/index.php?p=42`.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Map, String> {
        let mut map = Map::default();
        for pair in pairs {
            let (old, new) =
                pair.rsplit_once('=').ok_or_else(|| format!("--map {pair:?} is not OLD=NEW"))?;
            map.add(old, new).map_err(|why| format!("--map {pair:?} {why}"))?;
        }
        Ok(map)
    }

    /// From a mapping file: one `OLD NEW` per line, separated by a tab or spaces (neither
    /// occurs in an address); blank lines and lines starting with `#` are left out.
    pub fn parse_file(text: &str) -> Result<Map, String> {
        let mut map = Map::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let [old, new] = parts.as_slice() else {
                return Err(format!("line {}: not OLD<TAB>NEW: {line:?}", n + 1));
            };
            map.add(old, new).map_err(|why| format!("line {}: {why}", n + 1))?;
        }
        Ok(map)
    }

    fn add(&mut self, old: &str, new: &str) -> Result<(), String> {
        if old.is_empty() {
            return Err("has nothing to replace".into());
        }
        self.0.push((old.to_owned(), new.to_owned()));
        Ok(())
    }

    /// Joins `other`'s mappings after this one's.
    pub fn extend(&mut self, other: Map) {
        self.0.extend(other.0);
    }

    pub fn apply(&self, page: &str) -> String {
        for (old, new) in &self.0 {
            if let Some(rest) = page.strip_prefix(old.as_str()) {
                let whole = rest.is_empty()
                    || old.ends_with(['/', '?', '&', '#'])
                    || rest.starts_with(['/', '?', '&', '#', ';']);
                // More of the query after a mapped query (`&replytocom=9`) names no page.
                let more_query = old.contains('?') && rest.starts_with(['&', ';']);
                if more_query {
                    return new.clone();
                }
                if whole {
                    return format!("{new}{rest}");
                }
            }
        }
        page.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_rewrites_the_first_matching_prefix() {
        let map = Map::parse(["https://old.example/blog/=/posts/", "/p/=/posts/"]).unwrap();
        assert_eq!(map.apply("https://old.example/blog/a/"), "/posts/a/");
        assert_eq!(map.apply("/p/b"), "/posts/b");
        assert_eq!(map.apply("/other"), "/other");
        assert!(Map::parse(["no-equals"]).is_err());
        assert_eq!(map.apply("/p/"), "/posts/");
    }

    #[test]
    fn pages_that_differ_only_by_their_query_string_map_to_pages_of_their_own() {
        let map =
            Map::parse(["/index.php?p=42=/posts/sourdough", "/index.php?p=4=/posts/rye"]).unwrap();
        assert_eq!(map.apply("/index.php?p=42"), "/posts/sourdough");
        assert_eq!(map.apply("/index.php?p=4"), "/posts/rye", "not a prefix of p=42's");
        assert_eq!(map.apply("/index.php?p=4&replytocom=9"), "/posts/rye");
        let plan = |page: &str| kudos_core::PageId::parse(&map.apply(page)).unwrap().to_string();
        assert_eq!(plan("/index.php?p=4&replytocom=9"), "/posts/rye");
        let file =
            "# old\tnew\n/index.php?p=42\t/posts/sourdough\n\n/index.php?p=97   /posts/spelt\n";
        let from_file = Map::parse_file(file).unwrap();
        assert_eq!(from_file.apply("/index.php?p=97"), "/posts/spelt");
        assert_eq!(from_file.apply("/index.php?p=42"), "/posts/sourdough");
        let error = Map::parse_file("/a /b /c\n").unwrap_err();
        assert!(error.starts_with("line 1:"), "{error}");
    }
}
