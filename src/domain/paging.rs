//! Numbered pages for lists that can grow (juror management, the audit log, the dev mailbox):
//! which rows a page holds, and the real total, so a list never says "200" when there are 301.

/// One page of a list: its number (from 1), its size and how many rows the whole list has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: i64,
    pub size: i64,
    pub total: i64,
}

impl Page {
    /// The page a query asked for (`?page=`): anything unreadable or below 1 is the first.
    pub fn requested(raw: &str) -> i64 {
        raw.trim().parse::<i64>().ok().filter(|n| (1..=1_000_000).contains(n)).unwrap_or(1)
    }

    /// Rows to skip for `number` (clamped to the last page once the total is known).
    pub fn offset(number: i64, size: i64) -> i64 {
        (number.max(1) - 1) * size
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.size - 1) / self.size).max(1)
    }

    pub fn previous(&self) -> Option<i64> {
        (self.number > 1).then(|| (self.number - 1).min(self.pages()))
    }

    pub fn next(&self) -> Option<i64> {
        (self.number < self.pages()).then_some(self.number + 1)
    }

    /// The query string of a list's page `number` (the first when `None`), keeping the list's
    /// filters.
    pub fn query(filters: &[(&str, &str)], number: Option<i64>) -> String {
        let number = number.unwrap_or(1).to_string();
        let pairs = filters.iter().copied().chain([("page", number.as_str())]);
        serde_urlencoded::to_string(pairs.collect::<Vec<_>>()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn pages_know_their_neighbours_and_the_real_total() {
        let page = Page { number: 1, size: 100, total: 301 };
        assert_eq!((page.pages(), page.previous(), page.next()), (4, None, Some(2)));
        let last = Page { number: 4, ..page };
        assert_eq!((last.previous(), last.next()), (Some(3), None));
        let past_the_end = Page { number: 9, ..page };
        assert_eq!(past_the_end.previous(), Some(4), "back to the last page there is");
        assert_eq!(Page { number: 1, size: 100, total: 0 }.pages(), 1);
        assert_eq!(
            (Page::requested("2"), Page::requested("0"), Page::requested("x"), Page::requested("-3")),
            (2, 1, 1, 1)
        );
        assert_eq!(Page::offset(3, 100), 200);
        assert_eq!(
            Page::query(&[("q", "耳机 A&B"), ("stage", "")], Some(3)),
            "q=%E8%80%B3%E6%9C%BA+A%26B&stage=&page=3"
        );
        assert_eq!(Page::query(&[], None), "page=1");
    }
}
