//! A capped list of warnings: a hostile feed can produce one per item, and 10,000 warnings
//! help nobody. Past the cap, warnings are counted and summarised in one last line.

/// Collects warnings up to a cap.
#[derive(Debug)]
pub(crate) struct Warnings {
    list: Vec<String>,
    max: usize,
    dropped: usize,
}

impl Warnings {
    pub(crate) fn new(max: usize) -> Self {
        Warnings {
            list: Vec::new(),
            max,
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, warning: String) {
        if self.list.len() < self.max {
            self.list.push(warning);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("{} more warning(s) not listed", self.dropped));
        }
        self.list
    }
}
